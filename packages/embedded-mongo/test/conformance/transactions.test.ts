import { setTimeout as sleep } from 'node:timers/promises';

import { MongoServerError, type ClientSession } from 'mongodb';

import { expectCommandError, expectWriteError } from '../support/server-errors';
import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('transactions');

/**
 * Starts `promise` now and settles it into a value, so that a rejection arriving while the test
 * is still busy elsewhere is reported by the test's assertion, not as an unhandled rejection.
 */
function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** Runs `body` with a fresh session and always ends it, aborting a transaction left open. */
async function inSession<T>(body: (session: ClientSession) => Promise<T>): Promise<T> {
  const session = database.client.startSession();
  try {
    return await body(session);
  } finally {
    if (session.inTransaction()) await session.abortTransaction();
    await session.endSession();
  }
}

async function seeded(documents: { _id: number; [field: string]: unknown }[]) {
  const collection = database.collection();
  await collection.insertMany(documents);
  return collection;
}

describe('commit and abort', () => {
  it(
    'withTransaction commits every write together',
    traced(async () => {
      const collection = await seeded([
        { _id: 1, balance: 100 },
        { _id: 2, balance: 0 },
      ]);
      await inSession((session) =>
        session.withTransaction(async () => {
          await collection.updateOne({ _id: 1 }, { $inc: { balance: -30 } }, { session });
          await collection.updateOne({ _id: 2 }, { $inc: { balance: 30 } }, { session });
          await collection.insertOne({ _id: 3, transfer: 30 }, { session });
        }),
      );
      expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1, balance: 70 },
        { _id: 2, balance: 30 },
        { _id: 3, transfer: 30 },
      ]);
    }),
  );

  it(
    'startTransaction and commitTransaction make inserts, updates and deletes visible',
    traced(async () => {
      const collection = await seeded([
        { _id: 1, v: 'a' },
        { _id: 2, v: 'b' },
      ]);
      await inSession(async (session) => {
        session.startTransaction();
        await collection.insertOne({ _id: 3, v: 'c' }, { session });
        await collection.updateOne({ _id: 1 }, { $set: { v: 'A' } }, { session });
        await collection.deleteOne({ _id: 2 }, { session });
        await session.commitTransaction();
      });
      expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1, v: 'A' },
        { _id: 3, v: 'c' },
      ]);
    }),
  );

  it(
    'abortTransaction discards every write',
    traced(async () => {
      const original = [
        { _id: 1, v: 'a' },
        { _id: 2, v: 'b' },
      ];
      const collection = await seeded(original);
      await inSession(async (session) => {
        session.startTransaction();
        await collection.insertOne({ _id: 3, v: 'c' }, { session });
        await collection.updateOne({ _id: 1 }, { $set: { v: 'A' } }, { session });
        await collection.deleteOne({ _id: 2 }, { session });
        expect(await collection.countDocuments({}, { session })).toBe(2);
        await session.abortTransaction();
      });
      expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual(original);
    }),
  );

  it(
    'an error thrown in the withTransaction callback aborts it',
    traced(async () => {
      const collection = await seeded([{ _id: 1, v: 'a' }]);
      const failure = new Error('application changed its mind');
      await expect(
        inSession((session) =>
          session.withTransaction(async () => {
            await collection.insertOne({ _id: 2, v: 'b' }, { session });
            throw failure;
          }),
        ),
      ).rejects.toBe(failure);
      expect(await collection.find().toArray()).toEqual([{ _id: 1, v: 'a' }]);
    }),
  );

  it(
    'commitTransaction can be retried: a second commit succeeds and applies nothing twice',
    traced(async () => {
      const collection = await seeded([{ _id: 1, n: 0 }]);
      await inSession(async (session) => {
        session.startTransaction();
        await collection.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session });
        await collection.insertOne({ _id: 2 }, { session });
        await session.commitTransaction();
        await session.commitTransaction();
      });
      expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1, n: 1 },
        { _id: 2 },
      ]);
    }),
  );

  it(
    'a duplicate key inside a transaction aborts it and leaves nothing behind',
    traced(async () => {
      const collection = await seeded([{ _id: 1, v: 'a' }]);
      await inSession(async (session) => {
        session.startTransaction();
        await collection.insertOne({ _id: 2, v: 'b' }, { session });
        await expectWriteError(() => collection.insertOne({ _id: 1, v: 'dup' }, { session }), {
          code: 11000,
        });
        // The server has already aborted the transaction, so there is nothing to commit.
        await expectCommandError(() => session.commitTransaction(), {
          code: 251,
          codeName: 'NoSuchTransaction',
        });
      });
      expect(await collection.find().toArray()).toEqual([{ _id: 1, v: 'a' }]);
    }),
  );
});

describe('isolation', () => {
  it(
    'uncommitted writes are invisible outside the transaction and visible inside it',
    traced(async () => {
      const collection = await seeded([{ _id: 1, v: 'old' }]);
      await inSession(async (session) => {
        session.startTransaction();
        await collection.updateOne({ _id: 1 }, { $set: { v: 'new' } }, { session });
        await collection.insertOne({ _id: 2, v: 'added' }, { session });

        expect(await collection.find({}, { session }).sort({ _id: 1 }).toArray()).toEqual([
          { _id: 1, v: 'new' },
          { _id: 2, v: 'added' },
        ]);
        expect(await collection.find().toArray()).toEqual([{ _id: 1, v: 'old' }]);
        await inSession(async (other) => {
          expect(await collection.findOne({ _id: 2 }, { session: other })).toBeNull();
        });

        await session.commitTransaction();
      });
      expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1, v: 'new' },
        { _id: 2, v: 'added' },
      ]);
    }),
  );

  it(
    'a snapshot transaction does not see writes committed after its first read',
    traced(async () => {
      const collection = await seeded([{ _id: 1, v: 1 }]);
      await inSession(async (session) => {
        session.startTransaction({ readConcern: { level: 'snapshot' } });
        expect(await collection.findOne({ _id: 1 }, { session })).toEqual({ _id: 1, v: 1 });

        await collection.updateOne({ _id: 1 }, { $set: { v: 2 } });
        await collection.insertOne({ _id: 2, v: 'late' });

        expect(await collection.findOne({ _id: 1 }, { session })).toEqual({ _id: 1, v: 1 });
        expect(await collection.countDocuments({}, { session })).toBe(1);
        await session.commitTransaction();
      });
      expect(await collection.findOne({ _id: 1 })).toEqual({ _id: 1, v: 2 });
    }),
  );
});

describe('write conflicts', () => {
  it(
    'a second transaction writing the same document gets WriteConflict (112), a transient error',
    traced(async () => {
      const collection = await seeded([{ _id: 1, n: 0 }]);
      await inSession(async (first) => {
        await inSession(async (second) => {
          first.startTransaction();
          second.startTransaction();
          await collection.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session: first });
          const error = await expectCommandError(
            () => collection.updateOne({ _id: 1 }, { $inc: { n: 10 } }, { session: second }),
            { code: 112, codeName: 'WriteConflict' },
          );
          expect(error.errorLabels).toContain('TransientTransactionError');
          await second.abortTransaction();
          await first.commitTransaction();
        });
      });
      expect(await collection.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });
    }),
  );

  it(
    'withTransaction retries a write conflict until it succeeds',
    traced(async () => {
      const collection = await seeded([{ _id: 1, n: 0 }]);
      await inSession(async (blocker) => {
        blocker.startTransaction();
        await collection.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session: blocker });

        const conflicts: MongoServerError[] = [];
        let attempts = 0;
        await inSession((session) =>
          session.withTransaction(async () => {
            attempts += 1;
            try {
              await collection.updateOne({ _id: 1 }, { $inc: { n: 10 } }, { session });
            } catch (error) {
              // Let the blocking transaction finish so that the retry can get through.
              if (error instanceof MongoServerError) conflicts.push(error);
              if (blocker.inTransaction()) await blocker.commitTransaction();
              throw error;
            }
          }),
        );
        expect(conflicts.map((error) => error.code)).toEqual([112]);
        expect(attempts).toBe(2);
      });
      expect(await collection.findOne({ _id: 1 })).toEqual({ _id: 1, n: 11 });
    }),
  );

  it(
    'a unique key committed after the snapshot is a WriteConflict, one committed before is E11000',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ email: 1 }, { unique: true });
      await collection.insertOne({ _id: 1, email: 'before@example.com' });
      await inSession(async (session) => {
        session.startTransaction();
        // The first read fixes the transaction's snapshot.
        expect(await collection.countDocuments({}, { session })).toBe(1);
        await collection.insertOne({ _id: 2, email: 'after@example.com' });

        const conflict = await expectCommandError(
          () => collection.insertOne({ _id: 3, email: 'after@example.com' }, { session }),
          { code: 112, codeName: 'WriteConflict' },
        );
        expect(conflict.errorLabels).toContain('TransientTransactionError');
      });
      await inSession(async (session) => {
        session.startTransaction();
        await expectWriteError(
          () => collection.insertOne({ _id: 4, email: 'before@example.com' }, { session }),
          { code: 11000 },
        );
        await session.abortTransaction();
      });
      expect(await collection.countDocuments()).toBe(2);
    }),
  );

  it.each([
    ['commits', "the transaction's write and then its own", 11],
    ['aborts', 'its own write to the original document', 10],
  ] as const)(
    'a plain write to a document a transaction holds waits until it %s, then applies (%s)',
    (ending, _outcome, expected) =>
      traced(async () => {
        const collection = await seeded([{ _id: 1, n: 0 }]);
        await inSession(async (session) => {
          session.startTransaction();
          await collection.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session });
          const plainWrite = settle(collection.updateOne({ _id: 1 }, { $inc: { n: 10 } }));
          // Give the plain write time to reach the server and meet the transaction's write.
          await sleep(300);
          if (ending === 'commits') await session.commitTransaction();
          else await session.abortTransaction();
          expect(await plainWrite).toMatchObject({ value: { matchedCount: 1, modifiedCount: 1 } });
        });
        expect(await collection.findOne({ _id: 1 })).toEqual({ _id: 1, n: expected });
      })(),
  );

  it(
    'a plain write still blocked by a transaction when its maxTimeMS passes fails with 50',
    traced(async () => {
      const collection = await seeded([{ _id: 1, n: 0 }]);
      await inSession(async (session) => {
        session.startTransaction();
        await collection.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session });
        await expectCommandError(
          () => collection.updateOne({ _id: 1 }, { $inc: { n: 10 } }, { maxTimeMS: 200 }),
          { code: 50, codeName: 'MaxTimeMSExpired' },
        );
        await session.commitTransaction();
      });
      expect(await collection.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });
    }),
  );
});
