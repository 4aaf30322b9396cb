import { setTimeout as sleep } from 'node:timers/promises';

import { type ClientSession, MongoError, MongoServerError, type TransactionOptions } from 'mongodb';
import { type Connection } from 'mongoose';

const TRANSIENT_TRANSACTION_ERROR = 'TransientTransactionError';
const UNKNOWN_COMMIT_RESULT = 'UnknownTransactionCommitResult';
const MAX_TIME_MS_EXPIRED = 50;

/** Everything the body reads is one snapshot; its writes commit once a majority has them. */
const TRANSACTION_OPTIONS: TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
};

// The specification's backoff before a transaction runs again: jittered, growing, capped.
const BACKOFF_INITIAL_MS = 5;
const BACKOFF_GROWTH = 1.5;
const BACKOFF_MAX_MS = 500;

function hasLabel(error: unknown, label: string): boolean {
  return error instanceof MongoError && error.hasErrorLabel(label);
}

function isMaxTimeMSExpired(error: unknown): boolean {
  return (
    error instanceof MongoServerError &&
    (error.code === MAX_TIME_MS_EXPIRED || error.writeConcernError?.code === MAX_TIME_MS_EXPIRED)
  );
}

/**
 * True for the error of a transaction that gave up while the driver still called it worth
 * retrying (a conflict that kept coming back, a commit whose outcome stayed unknown): nothing or
 * all of it was applied, and the client may send the mutation again.
 */
export function isUnfinishedTransaction(error: unknown): boolean {
  return hasLabel(error, TRANSIENT_TRANSACTION_ERROR) || hasLabel(error, UNKNOWN_COMMIT_RESULT);
}

/**
 * Runs `body` in a transaction and commits it as the drivers' convenient transaction API
 * (`withTransaction`) does: the whole body again after a TransientTransactionError, the commit
 * alone again after an UnknownTransactionCommitResult (not after MaxTimeMSExpired). Unlike the
 * driver's, which retries for 120 s whatever `timeoutMS` says, no new attempt starts once the
 * connection's database timeout (MONGODB_TIMEOUT_MS) has passed since the first began; the last
 * error is thrown. The session always ends.
 *
 * The body may run more than once, so it reads what it decides on inside, through `session`,
 * and starts afresh each run: ids, counters and collected results are made inside it.
 */
export async function runTransaction<T>(
  connection: Connection,
  body: (session: ClientSession) => Promise<T>,
): Promise<T> {
  // openConnection sets the driver's server selection timeout to the database timeout.
  const deadline = performance.now() + connection.getClient().options.serverSelectionTimeoutMS;
  const session = await connection.startSession();
  let lastError: unknown;
  try {
    attempts: for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        const backoffMs =
          Math.random() * Math.min(BACKOFF_INITIAL_MS * BACKOFF_GROWTH ** attempt, BACKOFF_MAX_MS);
        if (performance.now() + backoffMs >= deadline) throw lastError;
        await sleep(backoffMs);
      }
      session.startTransaction(TRANSACTION_OPTIONS);
      let result: T;
      try {
        result = await body(session);
      } catch (error) {
        // The body's error is the one to report; a failed abort leaves the transaction to the
        // server's lifetime limit.
        if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
        if (!hasLabel(error, TRANSIENT_TRANSACTION_ERROR)) throw error;
        lastError = error;
        continue;
      }
      for (;;) {
        try {
          await session.commitTransaction();
          return result;
        } catch (error) {
          lastError = error;
          if (hasLabel(error, UNKNOWN_COMMIT_RESULT) && !isMaxTimeMSExpired(error)) {
            if (performance.now() >= deadline) throw error;
            continue;
          }
          if (hasLabel(error, TRANSIENT_TRANSACTION_ERROR)) continue attempts;
          throw error;
        }
      }
    }
  } finally {
    await session.endSession().catch(() => undefined);
  }
}
