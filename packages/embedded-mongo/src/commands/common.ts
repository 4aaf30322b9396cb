import { type Document } from 'bson';

import { canonicalKey, isPlainObject } from '../bson-order';
import { type Collation } from '../collation';
import { type CollectionStore } from '../collection';
import { type CursorCaller } from '../cursors';
import { candidates } from '../planner';
import { type Transaction } from '../transaction';
import { type Index } from '../indexes';
import { badValue, MongoCommandError } from '../errors';
import { compileFilter } from '../query';
import { type CommandContext } from './context';

/** The collection name a command addresses (`{ find: "customers" }`). */
export function collectionName(context: CommandContext, commandName: string): string {
  const name = context.command[commandName];
  if (typeof name !== 'string' || name === '') {
    throw new MongoCommandError(
      'InvalidNamespace',
      `collection name has invalid type ${typeof name}`,
    );
  }
  return name;
}

export function existingCollection(
  context: CommandContext,
  name: string,
): CollectionStore | undefined {
  return context.engine.collection(context.database, name, context.transaction);
}

/** What a query did, for `explain`: the index it used (if any) and the documents it read. */
export interface QueryStats {
  index?: Index;
  documentsExamined: number;
  /** How many of them matched. */
  documentsReturned?: number;
}

/**
 * The documents of `collection` matching `filter`, as this command's transaction sees them,
 * in natural order; at most `limit` of them when given.
 */
export function matchingDocuments(
  context: CommandContext,
  collection: CollectionStore | undefined,
  filter: Document | undefined,
  options: {
    transaction?: Transaction;
    limit?: number;
    stats?: QueryStats;
    collation?: Collation;
  } = {},
): Document[] {
  const predicate = compileFilter(filter, options.collation);
  if (!collection) return [];
  const transaction = 'transaction' in options ? options.transaction : context.transaction;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const { index, documents } = candidates(collection, filter ?? {}, transaction, options.collation);
  const matches: Document[] = [];
  let examined = 0;
  for (const document of documents) {
    if (matches.length >= limit) break;
    examined++;
    if (predicate(document)) matches.push(document);
  }
  if (options.stats) {
    options.stats.index = index;
    options.stats.documentsExamined = examined;
    options.stats.documentsReturned = matches.length;
  }
  return matches;
}

/** A hint must name an existing index (by name or key pattern); results never depend on it. */
export function assertValidHint(collection: CollectionStore | undefined, hint: unknown): void {
  if (hint === undefined) return;
  const indexes = [...(collection?.indexes.values() ?? [])];
  const found =
    typeof hint === 'string'
      ? indexes.some((index) => index.name === hint)
      : isPlainObject(hint) &&
        (Object.keys(hint).length === 0 ||
          indexes.some((index) => canonicalKey(index.spec.key) === canonicalKey(hint)));
  if (!found)
    throw badValue(
      'error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index',
    );
}

export function nonNegativeInteger(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new MongoCommandError('TypeMismatch', `${name} must be a whole number`);
  }
  if (value < 0) throw badValue(`${name} value must be non-negative, but received: ${value}`);
  return value;
}

export function optionalDocument(value: unknown, name: string): Document | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field '${name}' is the wrong type, expected an object`,
    );
  }
  return value;
}

/** The session and transaction a command runs in: the cursors it opens or uses belong to them. */
export function cursorCaller(context: CommandContext): CursorCaller {
  const { transaction, command } = context;
  return {
    sessionId: context.session?.id,
    txnNumber:
      transaction && command.txnNumber !== undefined ? Number(command.txnNumber) : undefined,
    transaction,
  };
}
