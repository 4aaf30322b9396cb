import { type MongoClient } from 'mongodb';

import { useTestDatabase, type TestDocument } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('concurrency');

const CLIENTS = 20;
const OPERATIONS_PER_CLIENT = 50;
/** Small pools, so the server sees many connections but the machine is not swamped by them. */
const POOL_SIZE = 5;

let clients: MongoClient[] = [];

beforeAll(async () => {
  clients = await Promise.all(
    Array.from({ length: CLIENTS }, () => database.connect({ maxPoolSize: POOL_SIZE })),
  );
});

/** Runs `operation(client, i)` OPERATIONS_PER_CLIENT times per client, all at once. */
function everywhere<T>(operation: (client: MongoClient, index: number) => Promise<T>) {
  return Promise.all(
    clients.flatMap((client) =>
      Array.from({ length: OPERATIONS_PER_CLIENT }, (_unused, index) => operation(client, index)),
    ),
  );
}

const inDatabase = (client: MongoClient, collectionName: string) =>
  client.db(database.name).collection<TestDocument>(collectionName);

describe('many clients at once', () => {
  it(
    `${CLIENTS} clients × ${OPERATIONS_PER_CLIENT} concurrent $inc on one document lose no update`,
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 'counter', n: 0 });
      const results = await everywhere((client) =>
        inDatabase(client, collection.collectionName).updateOne(
          { _id: 'counter' },
          { $inc: { n: 1 } },
        ),
      );
      expect(results.filter((result) => result.modifiedCount !== 1)).toEqual([]);
      expect(await collection.findOne({ _id: 'counter' })).toEqual({
        _id: 'counter',
        n: CLIENTS * OPERATIONS_PER_CLIENT,
      });
    }),
  );

  it(
    'concurrent upserts on a unique key end with exactly one document',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ key: 1 }, { unique: true });
      // The server retries an upsert's duplicate key error when the filter is an equality on
      // the unique key, so every upsert succeeds and exactly one of them inserts.
      const results = await everywhere((client) =>
        inDatabase(client, collection.collectionName).updateOne(
          { key: 'shared' },
          { $inc: { hits: 1 } },
          { upsert: true },
        ),
      );
      expect(results.filter((result) => result.upsertedCount === 1).length).toBe(1);
      const documents = await collection.find({}, { projection: { _id: 0 } }).toArray();
      expect(documents).toEqual([{ key: 'shared', hits: CLIENTS * OPERATIONS_PER_CLIENT }]);
    }),
  );

  it(
    'concurrent inserts from every client all arrive, and a unique index admits each key once',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ slot: 1 }, { unique: true });
      // Every client tries every slot, so each slot is contended CLIENTS times.
      const outcomes = await everywhere((client, index) =>
        inDatabase(client, collection.collectionName)
          .insertOne({ slot: index })
          .then(
            () => 'inserted',
            (error: { code?: number }) => (error.code === 11000 ? 'duplicate' : String(error)),
          ),
      );
      const inserted = outcomes.filter((outcome) => outcome === 'inserted').length;
      const duplicates = outcomes.filter((outcome) => outcome === 'duplicate').length;
      expect({ inserted, duplicates }).toEqual({
        inserted: OPERATIONS_PER_CLIENT,
        duplicates: (CLIENTS - 1) * OPERATIONS_PER_CLIENT,
      });
      expect(await collection.countDocuments()).toBe(OPERATIONS_PER_CLIENT);
    }),
  );

  it(
    'concurrent transactions incrementing one document all commit, retried by withTransaction',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 'account', balance: 0, entries: 0 });
      await Promise.all(
        clients.map(async (client, index) => {
          const session = client.startSession();
          try {
            await session.withTransaction(async () => {
              const target = inDatabase(client, collection.collectionName);
              await target.updateOne(
                { _id: 'account' },
                { $inc: { balance: index + 1 } },
                { session },
              );
              await target.updateOne({ _id: 'account' }, { $inc: { entries: 1 } }, { session });
            });
          } finally {
            await session.endSession();
          }
        }),
      );
      expect(await collection.findOne({ _id: 'account' })).toEqual({
        _id: 'account',
        balance: (CLIENTS * (CLIENTS + 1)) / 2,
        entries: CLIENTS,
      });
    }),
  );
});
