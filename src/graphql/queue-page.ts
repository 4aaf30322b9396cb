import { trusted, type Model, type QueryFilter, type Types } from 'mongoose';

import { parseObjectId } from '../db/object-id';
import { BadUserInputError } from './errors';
import { type PageInfo } from './page-info';

/** A staff queue shows at most this many items a page. */
export const MAX_QUEUE_PAGE = 100;

export interface QueuePage<N> {
  edges: { cursor: string; node: N }[];
  pageInfo: PageInfo;
}

const encodeCursor = (id: Types.ObjectId) => Buffer.from(id.toHexString()).toString('base64url');
const decodeCursor = (cursor: string) =>
  parseObjectId(Buffer.from(cursor, 'base64url').toString('utf8'));

/**
 * One page of a staff work queue, oldest first. The cursor is the last id seen, so an item
 * resolved while staff page on never makes another skip or repeat.
 */
export async function queuePage<R extends { _id: Types.ObjectId }, N>(
  model: Model<R>,
  filter: QueryFilter<R>,
  { first, after }: { first: number; after?: string | null },
  toNode: (record: R) => N,
): Promise<QueuePage<N>> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_QUEUE_PAGE) {
    throw new BadUserInputError('first', `must be between 1 and ${MAX_QUEUE_PAGE}`);
  }
  const afterId = after ? decodeCursor(after) : undefined;
  if (after && !afterId) throw new BadUserInputError('after', 'is not a cursor from this API');
  const records = (await model
    .find({ ...filter, ...(afterId ? { _id: trusted({ $gt: afterId }) } : {}) })
    .sort({ _id: 1 })
    .limit(first + 1)
    .lean()) as R[];
  const edges = records
    .slice(0, first)
    .map((record) => ({ cursor: encodeCursor(record._id), node: toNode(record) }));
  return {
    edges,
    pageInfo: { hasNextPage: records.length > first, endCursor: edges.at(-1)?.cursor },
  };
}
