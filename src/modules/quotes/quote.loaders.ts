import DataLoader from 'dataloader';
import { trusted, type PipelineStage, type Types } from 'mongoose';

import { type Models } from '../../db/models';
import { parseObjectId } from '../../db/object-id';
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
  purchasedQuotesByCustomer: DataLoader<string, QuoteRecord[]>;
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
  return `${key.customerId.toLowerCase()}|${filterKey(key)}`;
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

async function loadPages(models: Models, keys: readonly QuotePageKey[]): Promise<QuotePage[]> {
  const pages = new Map<string, QuotePage>();
  for (const group of groupByFilters(keys)) {
    const { first, after } = group[0];
    // One aggregate pages every customer of the group: sort in page order, then keep each
    // customer's first + 1 quotes, the extra one telling whether another page follows.
    // $firstN bounds what the group holds, however long a customer's history.
    const pipeline: PipelineStage[] = [
      { $match: matchStage(group, after) },
      { $sort: { customerId: 1, createdAt: -1, _id: -1 } },
      { $group: { _id: '$customerId', quotes: { $firstN: { input: '$$ROOT', n: first + 1 } } } },
    ];
    const rows = await models.Quote.aggregate<{ _id: Types.ObjectId; quotes: QuoteRecord[] }>(
      pipeline,
    );
    const byCustomer = new Map(rows.map((row) => [row._id.toHexString(), row.quotes]));
    for (const key of group) {
      const quotes = byCustomer.get(key.customerId.toLowerCase()) ?? [];
      pages.set(cacheKey(key), {
        quotes: quotes.slice(0, first),
        hasNextPage: quotes.length > first,
      });
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
      counts.set(cacheKey(key), byCustomer.get(key.customerId.toLowerCase()) ?? 0);
    }
  }
  return keys.map((key) => counts.get(cacheKey(key)) ?? 0);
}

/** Fresh per request: a loader's cache must never outlive the request that filled it. */
export function createQuoteLoaders(models: Models): QuoteLoaders {
  return {
    quotePage: new DataLoader<QuotePageKey, QuotePage, string>((keys) => loadPages(models, keys), {
      cacheKeyFn: cacheKey,
    }),
    quoteCount: new DataLoader<QuoteCountKey, number, string>((keys) => loadCounts(models, keys), {
      cacheKeyFn: cacheKey,
    }),
    purchasedQuotesByCustomer: new DataLoader(async (keys) => {
      const ids = keys.map(parseObjectId).filter((id): id is Types.ObjectId => id !== undefined);
      const quotes = await models.Quote.find({
        customerId: trusted({ $in: ids }),
        status: QuoteStatus.PURCHASED,
      })
        .sort({ createdAt: 1, _id: 1 })
        .lean();
      const byCustomer = groupBy(quotes, (quote) => quote.customerId.toHexString());
      return keys.map((key) => byCustomer.get(key.toLowerCase()) ?? []);
    }),
  };
}
