import { isIP } from 'node:net';

import { type Collection, MongoServerError } from 'mongodb';

import { isAuthenticated, type Viewer } from '../auth/viewer';
import { type RateLimits } from '../config';
import { RateLimitedError } from '../graphql/errors';
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
}

const DUPLICATE_KEY = 11000;

export function createRateLimiter(
  collection: Collection<RateLimitCounter>,
  limits: RateLimits,
  logger: Logger,
): RateLimiter {
  const windowMs = limits.windowSeconds * 1000;

  /**
   * One atomic upsert per request, so every instance shares the count. The window starts at
   * the caller's first request (not at a clock boundary) and restarts at the first request
   * after it ends; a pipeline update does both in one step, with no read before the write.
   */
  async function increment(key: string): Promise<RateLimitCounter> {
    const now = new Date();
    // Every expression of one $set stage reads the document as it was before the update.
    const ended = { $lte: [{ $ifNull: ['$resetAt', now] }, now] };
    const update = [
      {
        $set: {
          count: { $cond: [ended, 1, { $add: ['$count', 1] }] },
          resetAt: { $cond: [ended, new Date(now.getTime() + windowMs), '$resetAt'] },
        },
      },
    ];
    const run = () =>
      collection.findOneAndUpdate({ _id: key }, update, {
        upsert: true,
        returnDocument: 'after',
        maxTimeMS: limits.timeoutMs,
      });
    // Two first requests at once may both try to insert; the loser then finds the winner's.
    const counter = await run().catch((error: unknown) => {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return run();
      throw error;
    });
    if (!counter) throw new Error('the counter upsert returned no document');
    return counter;
  }

  function withinTimeout<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no count within ${limits.timeoutMs} ms`)),
          limits.timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }

  return {
    async ensureIndex() {
      await collection.createIndex({ resetAt: 1 }, { expireAfterSeconds: 0 });
    },
    async admit(caller, requestId) {
      const limit = limits.perWindow[caller.kind];
      let counter: RateLimitCounter;
      try {
        counter = await withinTimeout(increment(caller.key));
      } catch (error) {
        // A counting failure must not take the API down with it: serve, and say so.
        logger.warn(
          { requestId, callerKind: caller.kind, err: error },
          'rate limit not counted; request let through',
        );
        return;
      }
      if (counter.count <= limit) return;
      const retryAfter = Math.max(1, Math.ceil((counter.resetAt.getTime() - Date.now()) / 1000));
      throw new RateLimitedError(retryAfter, limit, limits.windowSeconds);
    },
  };
}
