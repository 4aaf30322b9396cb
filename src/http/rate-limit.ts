import { isIP } from 'node:net';

import {
  type AnyBulkWriteOperation,
  type Collection,
  MongoBulkWriteError,
  MongoServerError,
} from 'mongodb';

import { isAuthenticated, type Viewer } from '../auth/viewer';
import { type RateLimits } from '../config';
import { RateLimitedError } from '../graphql/errors';
import { BoundedMap } from '../lib/bounded-map';
import { type Logger } from '../logger';

/** The collection the counters live in: one document per caller and window. */
export const RATE_LIMIT_COLLECTION = 'rateLimits';

/** One counter: requests in the window that ends at `resetAt` (when TTL removes it). */
export interface RateLimitCounter {
  _id: string;
  count: number;
  resetAt: Date;
}

/** Who a request is counted against, and how many requests that caller has per window. */
export interface Caller {
  key: string;
  kind: keyof RateLimits['perWindow'];
}

/**
 * The part of a client address that one client controls: an IPv4 address, or an IPv6 /64
 * (a single host is usually handed a whole /64, so counting per address would count nothing).
 */
export function addressKey(ip: string | undefined): string {
  const address = (ip ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (isIP(address) !== 6) return address;
  const [head, tail = ''] = address.replace(/%.*$/, '').split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = Array.from({ length: Math.max(0, 8 - left.length - right.length) }, () => '0');
  const groups = [...left, ...zeros, ...right].slice(0, 4);
  return `${groups.map((group) => parseInt(group, 16).toString(16)).join(':')}::/64`;
}

/** An authenticated caller by role and token subject (and brand); anyone else by address. */
export function callerOf(viewer: Viewer, ip: string | undefined): Caller {
  if (!isAuthenticated(viewer)) return { key: `address:${addressKey(ip)}`, kind: 'anonymous' };
  const brand = viewer.brand ? `${viewer.brand}:` : '';
  return { key: `${viewer.role}:${brand}${viewer.subject}`, kind: viewer.role };
}

export interface RateLimiter {
  /** Builds the TTL index that removes counters once their window has ended. */
  ensureIndex(): Promise<void>;
  /**
   * Counts one request against `caller`; throws RATE_LIMITED when it is over its limit. When
   * the count cannot be made in time, the request goes through uncounted and a warning is logged.
   */
  admit(caller: Caller, requestId: string): Promise<void>;
  /** Adds the requests not yet shared to the counts, and stops sharing. */
  close(): Promise<void>;
}

const DUPLICATE_KEY = 11000;

/** Callers whose windows one instance remembers at most. */
const KNOWN_CALLERS_KEPT = 100_000;

/** What one instance knows of a caller's window. */
interface KnownWindow {
  /** The count of every instance together, when this instance last read it. */
  shared: number;
  resetAt: Date;
  /** Requests this instance let through since, not yet added to the shared count. */
  unshared: number;
}

/**
 * The update that adds `requests` to a caller's counter. The window starts at the caller's first
 * request (not at a clock boundary) and restarts at the first request after it ends; a pipeline
 * update does both in one step, with no read before the write. Every expression of one `$set`
 * stage reads the document as it was before the update.
 */
function addRequests(requests: number, now: Date, windowMs: number) {
  const ended = { $lte: [{ $ifNull: ['$resetAt', now] }, now] };
  return [
    {
      $set: {
        count: { $cond: [ended, requests, { $add: ['$count', requests] }] },
        resetAt: { $cond: [ended, new Date(now.getTime() + windowMs), '$resetAt'] },
      },
    },
  ];
}

function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

/** Rejects once `timeoutMs` has passed, so a slow database cannot hold a request. */
function withinTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no count within ${timeoutMs} ms`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Counts requests per caller in MongoDB, so that every gateway instance shares one count.
 *
 * With `syncMs` 0, every request is one atomic upsert, made before the request is served: exact,
 * and one database command per request. Otherwise a caller's first request in a window is
 * counted that way, and its later ones are judged on what this instance knows (the shared count
 * it last read plus what it has let through since) while the counts are added up in the
 * background, every caller's in one `bulkWrite` and read back in one `find`, once per `syncMs`.
 * A caller can then exceed its limit by at most what it sends to the other instances within
 * one `syncMs`; nobody under it is ever refused.
 */
export function createRateLimiter(
  collection: Collection<RateLimitCounter>,
  limits: RateLimits,
  logger: Logger,
): RateLimiter {
  const windowMs = limits.windowSeconds * 1000;
  // Bounded: callers that vanish are dropped at the next round, but a flood of new ones must not
  // grow memory before it; a caller forgotten early is simply counted in the database again.
  const known = new BoundedMap<string, KnownWindow>(KNOWN_CALLERS_KEPT);
  let timer: NodeJS.Timeout | undefined;
  let sharing: Promise<void> | undefined;
  let closed = false;

  /** Counts one request in the database before it is served; the caller's count after it. */
  async function countNow(key: string): Promise<RateLimitCounter> {
    const run = () =>
      collection.findOneAndUpdate({ _id: key }, addRequests(1, new Date(), windowMs), {
        upsert: true,
        returnDocument: 'after',
        maxTimeMS: limits.timeoutMs,
      });
    // Two first requests at once may both try to insert; the loser then finds the winner's.
    const counter = await run().catch((error: unknown) => {
      if (isDuplicateKey(error)) return run();
      throw error;
    });
    if (!counter) throw new Error('the counter upsert returned no document');
    return counter;
  }

  /** Adds every caller's unshared requests in one command, then reads the counts back in one. */
  async function share(): Promise<void> {
    const now = new Date();
    const batch = [...known].filter(([, window]) => window.unshared > 0);
    for (const [key, window] of known) {
      if (window.resetAt <= now && window.unshared === 0) known.delete(key);
    }
    if (batch.length === 0) return;
    const sent = new Map(batch.map(([key, window]) => [key, window.unshared]));
    for (const [, window] of batch) window.unshared = 0;
    const operations: AnyBulkWriteOperation<RateLimitCounter>[] = batch.map(([key]) => ({
      updateOne: {
        filter: { _id: key },
        update: addRequests(sent.get(key) ?? 0, now, windowMs),
        upsert: true,
      },
    }));
    try {
      await collection.bulkWrite(operations, { ordered: false, maxTimeMS: limits.timeoutMs });
    } catch (error) {
      // Only the upserts that lost a race to insert the same counter are sent again.
      const failed =
        error instanceof MongoBulkWriteError ? [error.writeErrors].flat() : ([] as never[]);
      if (failed.length === 0 || failed.some((each) => each.code !== DUPLICATE_KEY)) throw error;
      await collection.bulkWrite(
        failed.map((each) => operations[each.index]),
        { ordered: false, maxTimeMS: limits.timeoutMs },
      );
    }
    const counters = await collection
      .find({ _id: { $in: batch.map(([key]) => key) } }, { maxTimeMS: limits.timeoutMs })
      .toArray();
    for (const counter of counters) {
      const window = known.get(counter._id);
      if (window) Object.assign(window, { shared: counter.count, resetAt: counter.resetAt });
    }
  }

  function shareSoon(): void {
    if (timer || closed || limits.syncMs === 0) return;
    timer = setTimeout(() => {
      sharing = share()
        .catch((error: unknown) => {
          // The requests were served; only the count is short, and only for this window.
          logger.warn({ err: error }, 'rate limit counts not shared; some requests uncounted');
        })
        .finally(() => {
          timer = undefined;
          sharing = undefined;
          // Requests let through while this round was on its way wait for the next one.
          if ([...known.values()].some((window) => window.unshared > 0)) shareSoon();
        });
    }, limits.syncMs);
    timer.unref();
  }

  function refuseOver(limit: number, count: number, resetAt: Date): void {
    if (count <= limit) return;
    const retryAfter = Math.max(1, Math.ceil((resetAt.getTime() - Date.now()) / 1000));
    throw new RateLimitedError(retryAfter, limit, limits.windowSeconds);
  }

  return {
    async ensureIndex() {
      await collection.createIndex({ resetAt: 1 }, { expireAfterSeconds: 0 });
    },
    async admit(caller, requestId) {
      const limit = limits.perWindow[caller.kind];
      const window = known.get(caller.key);
      if (limits.syncMs > 0 && window && window.resetAt.getTime() > Date.now()) {
        refuseOver(limit, window.shared + window.unshared + 1, window.resetAt);
        window.unshared += 1;
        shareSoon();
        return;
      }
      let counter: RateLimitCounter;
      try {
        counter = await withinTimeout(countNow(caller.key), limits.timeoutMs);
      } catch (error) {
        // A counting failure must not take the API down with it: serve, and say so.
        logger.warn(
          { requestId, callerKind: caller.kind, err: error },
          'rate limit not counted; request let through',
        );
        return;
      }
      if (limits.syncMs > 0) {
        known.set(caller.key, { shared: counter.count, resetAt: counter.resetAt, unshared: 0 });
      }
      refuseOver(limit, counter.count, counter.resetAt);
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      await sharing;
      await share().catch((error: unknown) => {
        logger.warn({ err: error }, 'rate limit counts not shared at shutdown');
      });
    },
  };
}
