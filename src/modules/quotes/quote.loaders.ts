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

export interface QuoteLoaders {
  quotePage: DataLoader<QuotePageKey, QuotePage, string>;
  quoteCount: DataLoader<QuoteCountKey, number, string>;
  /** Evidence for loyalty rules: every PURCHASED quote, oldest first. */
  purchasedQuotesByCustomer: DataLoader<string, QuoteRecord[], string>;
  /**
   * What recording a quote makes stale in this request: every page, count and loyalty input of
   * that customer, whatever filters they were read under. Every write of this module calls it.
   */
  forgetQuotesOf(customerId: string): void;
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

function filterKey(key: QuoteCountKey & { first?: number; after?: CursorPosition }): string {
  return JSON.stringify([
    key.product ?? null,
    key.status ?? null,
    key.first ?? null,
    key.after ? [key.after.createdAt.toISOString(), key.after.id.toHexString()] : null,
  ]);
}

function cacheKey(key: QuoteCountKey & { first?: number; after?: CursorPosition }): string {
  return `${objectIdKey(key.customerId)}|${filterKey(key)}`;
}

/** The count key of a page key: the same customer and filters, without page and cursor. */
function countKeyOf({ customerId, product, status }: QuoteCountKey): QuoteCountKey {
  return { customerId, product, status };
}

/** Keys that share filters go to the database together, one command per distinct filter. */
function groupByFilters<K extends QuoteCountKey>(keys: readonly K[]): K[][] {
  return [...groupBy(keys, filterKey).values()];
}

function matchStage(keys: readonly QuoteCountKey[], after?: CursorPosition) {
  const ids = keys
    .map((key) => parseObjectId(key.customerId))
    .filter((id): id is Types.ObjectId => id !== undefined);
  const { product, status } = keys[0];
  return {
    customerId: trusted({ $in: ids }),
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

/**
 * Pages every key; a first page (no cursor) also counts what its filters match, in the same
 * aggregate, and hands the count to `primeCount`: `totalCount` then costs no command of its own.
 */
async function loadPages(
  models: Models,
  keys: readonly QuotePageKey[],
  primeCount: (key: QuoteCountKey, count: number) => void,
): Promise<QuotePage[]> {
  const pages = new Map<string, QuotePage>();
  for (const group of groupByFilters(keys)) {
    const { first, after } = group[0];
    // One aggregate pages every customer of the group: sort in page order, then keep each
    // customer's first + 1 quotes, the extra one telling whether another page follows.
    // $firstN bounds what the group holds, however long a customer's history.
    const pipeline: PipelineStage[] = [
      { $match: matchStage(group, after) },
      { $sort: { customerId: 1, createdAt: -1, _id: -1 } },
      {
        $group: {
          _id: '$customerId',
          quotes: { $firstN: { input: '$$ROOT', n: first + 1 } },
          ...(after ? {} : { count: { $sum: 1 } }),
        },
      },
    ];
    const rows = await models.Quote.aggregate<{
      _id: Types.ObjectId;
      quotes: QuoteRecord[];
      count?: number;
    }>(pipeline);
    const byCustomer = new Map(rows.map((row) => [row._id.toHexString(), row]));
    for (const key of group) {
      const row = byCustomer.get(objectIdKey(key.customerId));
      const quotes = row?.quotes ?? [];
      pages.set(cacheKey(key), {
        quotes: quotes.slice(0, first),
        hasNextPage: quotes.length > first,
      });
      if (!after) primeCount(key, row?.count ?? 0);
    }
  }
  return keys.map((key) => pages.get(cacheKey(key)) ?? { quotes: [], hasNextPage: false });
}

async function loadCounts(models: Models, keys: readonly QuoteCountKey[]): Promise<number[]> {
  const counts = new Map<string, number>();
  for (const group of groupByFilters(keys)) {
    const rows = await models.Quote.aggregate<{ _id: Types.ObjectId; count: number }>([
      { $match: matchStage(group) },
      { $group: { _id: '$customerId', count: { $sum: 1 } } },
    ]);
    const byCustomer = new Map(rows.map((row) => [row._id.toHexString(), row.count]));
    for (const key of group) {
      counts.set(cacheKey(key), byCustomer.get(objectIdKey(key.customerId)) ?? 0);
    }
  }
  return keys.map((key) => counts.get(cacheKey(key)) ?? 0);
}

/** Fresh per request: a loader's cache must never outlive the request that filled it. */
export function createQuoteLoaders(models: Models): QuoteLoaders {
  const pageCache = new PerCustomerCache<Promise<QuotePage>>();
  const countCache = new PerCustomerCache<Promise<number>>();
  const purchasedQuotesByCustomer = new DataLoader<string, QuoteRecord[], string>(
    async (keys) => {
      const ids = keys.map(parseObjectId).filter((id): id is Types.ObjectId => id !== undefined);
      const quotes = await models.Quote.find({
        customerId: trusted({ $in: ids }),
        status: QuoteStatus.PURCHASED,
      })
        .sort({ createdAt: 1, _id: 1 })
        .lean();
      const byCustomer = groupBy(quotes, (quote) => quote.customerId.toHexString());
      return keys.map((key) => byCustomer.get(objectIdKey(key)) ?? []);
    },
    { cacheKeyFn: objectIdKey },
  );
  const quoteCount = new DataLoader<QuoteCountKey, number, string>(
    (keys) => loadCounts(models, keys),
    { cacheKeyFn: cacheKey, cacheMap: countCache },
  );
  return {
    quotePage: new DataLoader<QuotePageKey, QuotePage, string>(
      (keys) => loadPages(models, keys, (key, count) => quoteCount.prime(countKeyOf(key), count)),
      { cacheKeyFn: cacheKey, cacheMap: pageCache },
    ),
    quoteCount,
    purchasedQuotesByCustomer,
    forgetQuotesOf: (customerId) => {
      pageCache.deleteCustomer(customerId);
      countCache.deleteCustomer(customerId);
      purchasedQuotesByCustomer.clear(customerId);
    },
  };
}
