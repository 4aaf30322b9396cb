import { type ClientSession } from 'mongodb';

import { expectCommandError } from '../support/server-errors';
import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

// Catalog changes and open transactions, as MongoDB orders them: an index build waits for the
// transactions writing to its collection, and collections and indexes created inside a
// transaction exist only once it commits.

const database = useTestDatabase('transaction_catalog');

async function inSession<T>(body: (session: ClientSession) => Promise<T>): Promise<T> {
  const session = database.client.startSession();
  try {
    return await body(session);
  } finally {
    await session.endSession();
  }
}

async function collectionNames(): Promise<string[]> {
  return (await database.db.listCollections({}, { nameOnly: true }).toArray())
    .map((each) => each.name)
    .sort();
}

describe('index builds and open transactions', () => {
  it(
    'a unique index build does not succeed over a duplicate an open transaction commits',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 1, email: 'a@example.com' });
      await inSession(async (session) => {
        session.startTransaction();
        await collection.insertOne({ _id: 2, email: 'a@example.com' }, { session });
        const build = collection.createIndex({ email: 1 }, { unique: true });
        await session.commitTransaction();
        await expectCommandError(() => build, { code: 11000, codeName: 'DuplicateKey' });
      });
      expect(await collection.countDocuments()).toBe(2);
      expect((await collection.listIndexes().toArray()).map((index) => index.name)).toEqual([
        '_id_',
      ]);
    }),
  );

  it(
    'once the transaction holding the duplicate aborts, the build succeeds',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 1, email: 'a@example.com' });
      await inSession(async (session) => {
        session.startTransaction();
        await collection.insertOne({ _id: 2, email: 'a@example.com' }, { session });
        const build = collection.createIndex({ email: 1 }, { unique: true });
        await session.abortTransaction();
        expect(await build).toBe('email_1');
      });
      expect(await collection.countDocuments()).toBe(1);
    }),
  );
});

describe('collections and indexes created inside a transaction', () => {
  it(
    'exist for others only after the commit, and not at all after an abort',
    traced(async () => {
      for (const outcome of ['abort', 'commit'] as const) {
        const explicit = database.collection(`explicit_${outcome}`);
        const implicit = database.collection(`implicit_${outcome}`);
        const indexed = database.collection(`indexed_${outcome}`);
        await inSession(async (session) => {
          session.startTransaction();
          await database.db.createCollection(explicit.collectionName, { session });
          await implicit.insertOne({ _id: 1 }, { session });
          await indexed.createIndex({ sku: 1 }, { session });
          expect(await implicit.countDocuments({}, { session })).toBe(1);
          expect(await collectionNames()).not.toContain(implicit.collectionName);
          if (outcome === 'abort') await session.abortTransaction();
          else await session.commitTransaction();
        });
        const names = [explicit, implicit, indexed].map((each) => each.collectionName);
        if (outcome === 'abort') {
          expect(await collectionNames()).toEqual(expect.not.arrayContaining(names));
        } else {
          expect(await collectionNames()).toEqual(expect.arrayContaining(names));
          expect(await implicit.find().toArray()).toEqual([{ _id: 1 }]);
          expect((await indexed.listIndexes().toArray()).map((index) => index.name)).toEqual([
            '_id_',
            'sku_1',
          ]);
        }
      }
    }),
  );

  it(
    'a new index on a collection that existed before the transaction is refused (263)',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 1 });
      await inSession(async (session) => {
        session.startTransaction();
        await collection.findOne({}, { session });
        await expectCommandError(() => collection.createIndex({ sku: 1 }, { session }), {
          code: 263,
          codeName: 'OperationNotSupportedInTransaction',
          errmsg: 'Cannot create new indexes on existing collection',
        });
        await session.abortTransaction();
      });
    }),
  );
});
