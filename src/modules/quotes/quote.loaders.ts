import DataLoader from 'dataloader';
import { trusted, type PipelineStage, type Types } from 'mongoose';

import { type Models } from '../../db/models';
import { objectIdKey, parseObjectId } from '../../db/object-id';
import { type CursorPosition } from './lib/cursor';
import { groupBy } from '../../lib/group-by';
import { QuoteStatus } from './quote.enums';
import { type QuoteRecord } from './quote.model';
import { type QuoteCountKey } from './quote.type';

/** One customer's page: `first` items after `after`, under the filters. */
export interface QuotePageKey extends QuoteCountKey {
  first: number;
  after?: CursorPosition;
}

export interface QuotePage {
  quotes: QuoteRecord[];
  hasNextPage: boolean;
}

type Loader<K, V> = Pick<DataLoader<K, V>, 'load'>;

export interface QuoteLoaders {
  quotePage: Loader<QuotePageKey, QuotePage>;
  quoteCount: Loader<QuoteCountKey, number>;
  /** Evidence for loyalty rules: every PURCHASED quote, oldest first. */
  purchasedQuotesByCustomer: Loader<string, QuoteRecord[]>;
  /**
   * What recording a quote makes stale in this request: every page, count and loyalty input of
   * that customer, whatever filters they were read under. Every write of this module calls it.
   */
  forgetQuotesOf(customerId: string): void;
}

/**
 * One read of a customer's quotes. `branch` names the reads that one pipeline answers for many
 * customers (the same kind and filters); `cacheKey` begins with the customer, so a write can
 * drop every read of that customer. Both are computed once, when the read is asked for.
 */
type QuoteRead = (
  | { kind: 'page'; page: QuotePageKey }
  | { kind: 'count'; count: QuoteCountKey }
  | { kind: 'purchased' }
) & { customerId: string; branch: string; cacheKey: string };

type QuoteReadResult = QuotePage | number | QuoteRecord[];

function filterOf(
  kind: QuoteRead['kind'],
  key: QuoteCountKey & { first?: number; after?: CursorPosition },
): string {
  return JSON.stringify([
    kind,
    key.product ?? null,
    key.status ?? null,
    key.first ?? null,
    key.after ? [key.after.createdAt.toISOString(), key.after.id.toHexString()] : null,
  ]);
}

function pageRead(page: QuotePageKey): QuoteRead {
  const branch = filterOf('page', page);
  return {
    kind: 'page',
    page,
    customerId: page.customerId,
    branch,
    cacheKey: cacheKeyOf(page.customerId, branch),
  };
}

function countRead(count: QuoteCountKey): QuoteRead {
  const branch = filterOf('count', count);
  return {
    kind: 'count',
    count,
    customerId: count.customerId,
    branch,
    cacheKey: cacheKeyOf(count.customerId, branch),
  };
}

const PURCHASED_BRANCH = JSON.stringify(['purchased']);

function purchasedRead(customerId: string): QuoteRead {
  return {
    kind: 'purchased',
    customerId,
    branch: PURCHASED_BRANCH,
    cacheKey: cacheKeyOf(customerId, PURCHASED_BRANCH),
  };
}

function cacheKeyOf(customerId: string, branch: string): string {
  return `${objectIdKey(customerId)}|${branch}`;
}

/** A loader cache whose keys begin with a customer's id key, so one customer's can be dropped. */
class PerCustomerCache<V> extends Map<string, V> {
  deleteCustomer(customerId: string): void {
    const prefix = `${objectIdKey(customerId)}|`;
    for (const key of this.keys()) {
      if (key.startsWith(prefix)) this.delete(key);
    }
  }
}

function customerIds(reads: readonly QuoteRead[]): Types.ObjectId[] {
  return reads
    .map((read) => parseObjectId(read.customerId))
    .filter((id): id is Types.ObjectId => id !== undefined);
}

function filterStage({ product, status }: QuoteCountKey, after?: CursorPosition) {
  return {
    ...(product ? { product } : {}),
    ...(status ? { status } : {}),
    // Strictly after the cursor in (createdAt desc, _id desc) order.
    ...(after
      ? {
          $or: [
            { createdAt: trusted({ $lt: after.createdAt }) },
            { createdAt: after.createdAt, _id: trusted({ $lt: after.id }) },
          ],
        }
      : {}),
  };
}

/** One row of a branch's answer: a customer's page, count or purchased quotes. */
interface BranchRow {
  _id: Types.ObjectId;
  quotes?: QuoteRecord[];
  count?: number;
}

/**
 * The pipeline that answers one branch for every customer in it, after a `$match` on those
 * customers. A first page (no cursor) also counts what its filters match, so `totalCount` then
 * costs nothing of its own.
 */
function branchPipeline(reads: readonly QuoteRead[]): PipelineStage.FacetPipelineStage[] {
  const ids = trusted({ $in: customerIds(reads) });
  const [read] = reads;
  switch (read.kind) {
    case 'page': {
      const { first, after } = read.page;
      // Sorted in page order, each customer's first + 1 quotes: the extra one tells whether
      // another page follows. $firstN bounds what the group holds, however long the history.
      return [
        { $match: { customerId: ids, ...filterStage(read.page, after) } },
        { $sort: { customerId: 1, createdAt: -1, _id: -1 } },
        {
          $group: {
            _id: '$customerId',
            quotes: { $firstN: { input: '$$ROOT', n: first + 1 } },
            ...(after ? {} : { count: { $sum: 1 } }),
          },
        },
      ];
    }
    case 'count':
      return [
        { $match: { customerId: ids, ...filterStage(read.count) } },
        { $group: { _id: '$customerId', count: { $sum: 1 } } },
      ];
    case 'purchased':
      return [
        { $match: { customerId: ids, status: QuoteStatus.PURCHASED } },
        { $sort: { createdAt: 1, _id: 1 } },
        { $group: { _id: '$customerId', quotes: { $push: '$$ROOT' } } },
      ];
  }
}

/**
 * Every quote read of one batch in ONE aggregate, whatever mix of pages, counts and loyalty
 * evidence it holds: a `$match` on all the customers asked for (through the customer index),
 * then one `$facet` branch per kind and filters. A batch of a single branch needs no `$facet`.
 */
async function loadQuoteReads(
  models: Models,
  reads: readonly QuoteRead[],
  primeCount: (key: QuoteCountKey, count: number) => void,
): Promise<QuoteReadResult[]> {
  const branches = [...groupBy(reads, (read) => read.branch).values()];
  let answers: BranchRow[][];
  if (branches.length === 1) {
    answers = [await models.Quote.aggregate<BranchRow>(branchPipeline(branches[0]))];
  } else {
    const facets = Object.fromEntries(
      branches.map((branch, index) => [`b${index}`, branchPipeline(branch)]),
    );
    const [answer] = await models.Quote.aggregate<Record<string, BranchRow[]>>([
      { $match: { customerId: trusted({ $in: customerIds(reads) }) } },
      { $facet: facets },
    ]);
    answers = branches.map((_branch, index) => answer?.[`b${index}`] ?? []);
  }

  const results = new Map<string, QuoteReadResult>();
  branches.forEach((branch, index) => {
    const rows = new Map(answers[index].map((row) => [row._id.toHexString(), row]));
    for (const read of branch) {
      const row = rows.get(objectIdKey(read.customerId));
      switch (read.kind) {
        case 'page': {
          const { first, after } = read.page;
          const quotes = row?.quotes ?? [];
          results.set(read.cacheKey, {
            quotes: quotes.slice(0, first),
            hasNextPage: quotes.length > first,
          });
          if (!after) primeCount(read.page, row?.count ?? 0);
          break;
        }
        case 'count':
          results.set(read.cacheKey, row?.count ?? 0);
          break;
        case 'purchased':
          results.set(read.cacheKey, row?.quotes ?? []);
      }
    }
  });
  return reads.map((read) => results.get(read.cacheKey) ?? []);
}

/** Fresh per request: a loader's cache must never outlive the request that filled it. */
export function createQuoteLoaders(models: Models): QuoteLoaders {
  const cache = new PerCustomerCache<Promise<QuoteReadResult>>();
  const reads: DataLoader<QuoteRead, QuoteReadResult, string> = new DataLoader(
    (keys) =>
      loadQuoteReads(models, keys, (key, count) => {
        const read = countRead({
          customerId: key.customerId,
          product: key.product,
          status: key.status,
        });
        reads.prime(read, count);
      }),
    { cacheKeyFn: (read) => read.cacheKey, cacheMap: cache },
  );
  return {
    quotePage: { load: async (key) => (await reads.load(pageRead(key))) as QuotePage },
    quoteCount: { load: async (key) => (await reads.load(countRead(key))) as number },
    purchasedQuotesByCustomer: {
      load: async (customerId) => (await reads.load(purchasedRead(customerId))) as QuoteRecord[],
    },
    forgetQuotesOf: (customerId) => cache.deleteCustomer(customerId),
  };
}
