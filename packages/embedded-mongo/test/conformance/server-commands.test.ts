import { type Document } from 'mongodb';

import { expectCommandError } from '../support/server-errors';
import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('servercmds');

/** Every value held under `key` anywhere in an explain reply, whatever its layout. */
function valuesOf(reply: unknown, key: string): unknown[] {
  const found: unknown[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const element of value) visit(element);
    } else if (value !== null && typeof value === 'object') {
      for (const [field, child] of Object.entries(value)) {
        if (field === key) found.push(child);
        visit(child);
      }
    }
  };
  visit(reply);
  return found;
}

describe('serverStatus', () => {
  const status = () => database.db.admin().command({ serverStatus: 1 });

  it(
    'reports the process, its uptime, connections, memory and transactions',
    traced(async () => {
      const reply = await status();
      expect(reply).toMatchObject({
        ok: 1,
        process: expect.stringMatching(/^mongod/),
        host: expect.any(String),
        version: expect.stringMatching(/^\d+\.\d+/),
        localTime: expect.any(Date),
      });
      expect(Number(reply.pid)).toBeGreaterThan(0);
      expect(Number(reply.uptime)).toBeGreaterThanOrEqual(0);
      expect(Number(reply.uptimeMillis)).toBeGreaterThanOrEqual(0);
      expect(Number(reply.connections.current)).toBeGreaterThanOrEqual(1);
      expect(Number(reply.connections.available)).toBeGreaterThan(0);
      expect(Number(reply.connections.totalCreated)).toBeGreaterThanOrEqual(
        Number(reply.connections.current),
      );
      expect(Number(reply.mem.resident)).toBeGreaterThan(0);
      expect(Number(reply.mem.virtual)).toBeGreaterThanOrEqual(Number(reply.mem.resident));
      for (const field of ['currentOpen', 'totalCommitted', 'totalAborted']) {
        expect(Number(reply.transactions[field])).toBeGreaterThanOrEqual(0);
      }
    }),
  );

  it(
    'counts the operations it serves (other tests run alongside: at least these)',
    traced(async () => {
      const collection = database.collection();
      const before = (await status()).opcounters as Document;
      await collection.insertMany([{ a: 1 }, { a: 2 }, { a: 3 }]);
      await collection.find({ a: 1 }).toArray();
      await collection.updateOne({ a: 1 }, { $set: { b: 1 } });
      await collection.deleteOne({ a: 2 });
      const cursor = collection.find({}, { batchSize: 1 });
      await cursor.toArray();
      const after = (await status()).opcounters as Document;
      const grew = (field: string) => Number(after[field]) - Number(before[field]);
      expect(grew('insert')).toBeGreaterThanOrEqual(3);
      expect(grew('query')).toBeGreaterThanOrEqual(2);
      expect(grew('update')).toBeGreaterThanOrEqual(1);
      expect(grew('delete')).toBeGreaterThanOrEqual(1);
      expect(grew('getmore')).toBeGreaterThanOrEqual(1);
      expect(grew('command')).toBeGreaterThanOrEqual(1);
    }),
  );

  it(
    'counts each command by name, and the ones that failed',
    traced(async () => {
      const collection = database.collection();
      const commands = async () =>
        ((await status()).metrics as { commands: Document }).commands as Record<
          string,
          { total: unknown; failed: unknown }
        >;
      const before = await commands();
      await collection.insertOne({ a: 1 });
      await collection.countDocuments({ a: 1 });
      await expect(collection.find({ $nope: 1 }).toArray()).rejects.toThrow();
      const after = await commands();
      const grew = (name: string, field: 'total' | 'failed') =>
        Number(after[name]?.[field] ?? 0) - Number(before[name]?.[field] ?? 0);
      // Other tests run alongside: at least these.
      expect(grew('insert', 'total')).toBeGreaterThanOrEqual(1);
      expect(grew('aggregate', 'total')).toBeGreaterThanOrEqual(1);
      expect(grew('find', 'total')).toBeGreaterThanOrEqual(1);
      expect(grew('find', 'failed')).toBeGreaterThanOrEqual(1);
    }),
  );

  it(
    'counts committed and aborted transactions',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 1 });
      const before = (await status()).transactions as Document;
      const session = database.client.startSession();
      try {
        session.startTransaction();
        await collection.insertOne({ _id: 2 }, { session });
        await session.commitTransaction();
        session.startTransaction();
        await collection.insertOne({ _id: 3 }, { session });
        await session.abortTransaction();
      } finally {
        await session.endSession();
      }
      const after = (await status()).transactions as Document;
      expect(Number(after.totalCommitted) - Number(before.totalCommitted)).toBeGreaterThanOrEqual(
        1,
      );
      expect(Number(after.totalAborted) - Number(before.totalAborted)).toBeGreaterThanOrEqual(1);
    }),
  );
});

describe('explain of aggregate', () => {
  async function people() {
    const collection = database.collection();
    await collection.createIndex({ email: 1 }, { unique: true });
    await collection.insertMany(
      Array.from({ length: 20 }, (_, i) => ({
        _id: i,
        email: `p${i}@example.com`,
        team: i % 2,
      })),
    );
    return collection;
  }

  it(
    'a leading $match on an indexed field uses the index and reads only what it matches',
    traced(async () => {
      const collection = await people();
      const explained = await collection
        .aggregate([{ $match: { email: 'p7@example.com' } }, { $project: { team: 1 } }])
        .explain('executionStats');
      expect(valuesOf(explained, 'indexName')).toContain('email_1');
      expect(valuesOf(explained, 'stage')).toContain('IXSCAN');
      expect(valuesOf(explained, 'totalDocsExamined').map(Number)).toContain(1);
    }),
  );

  it(
    'a pipeline without a usable $match scans the collection',
    traced(async () => {
      const collection = await people();
      const explained = await collection
        .aggregate([{ $match: { team: 1 } }, { $group: { _id: '$team', n: { $sum: 1 } } }])
        .explain('executionStats');
      expect(valuesOf(explained, 'indexName')).toEqual([]);
      expect(valuesOf(explained, 'stage')).toContain('COLLSCAN');
      expect(valuesOf(explained, 'totalDocsExamined').map(Number)).toContain(20);
    }),
  );
});

describe('collMod', () => {
  it(
    'hides and unhides an index: a hidden index is listed, still enforced, and not used',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ email: 1 }, { unique: true });
      await collection.insertMany([{ email: 'a' }, { email: 'b' }]);
      const hidden = await database.db.command({
        collMod: collection.collectionName,
        index: { name: 'email_1', hidden: true },
      });
      expect(hidden).toMatchObject({ ok: 1, hidden_old: false, hidden_new: true });
      const listed = await collection.listIndexes().toArray();
      expect(listed.find((index) => index.name === 'email_1')).toMatchObject({ hidden: true });
      await expect(collection.insertOne({ email: 'a' })).rejects.toMatchObject({ code: 11000 });
      const explained = await collection.find({ email: 'a' }).explain('executionStats');
      expect(valuesOf(explained, 'indexName')).toEqual([]);

      const shown = await database.db.command({
        collMod: collection.collectionName,
        index: { keyPattern: { email: 1 }, hidden: false },
      });
      expect(shown).toMatchObject({ ok: 1, hidden_old: true, hidden_new: false });
      const again = await collection.find({ email: 'a' }).explain('executionStats');
      expect(valuesOf(again, 'indexName')).toContain('email_1');
    }),
  );

  it(
    "changes a TTL index's expireAfterSeconds",
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ at: 1 }, { expireAfterSeconds: 3600 });
      const reply = await database.db.command({
        collMod: collection.collectionName,
        index: { keyPattern: { at: 1 }, expireAfterSeconds: 60 },
      });
      expect(reply).toMatchObject({ ok: 1 });
      expect(Number(reply.expireAfterSeconds_old)).toBe(3600);
      expect(Number(reply.expireAfterSeconds_new)).toBe(60);
      const listed = await collection.listIndexes().toArray();
      expect(listed.find((index) => index.name === 'at_1')).toMatchObject({
        expireAfterSeconds: 60,
      });
    }),
  );

  it(
    'refuses a missing collection, a missing index and unknown index options',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ a: 1 });
      await expectCommandError(
        () =>
          database.db.command({
            collMod: 'no_such_collection',
            index: { name: 'a_1', hidden: true },
          }),
        { code: 26, codeName: 'NamespaceNotFound' },
      );
      await expectCommandError(
        () =>
          database.db.command({
            collMod: collection.collectionName,
            index: { name: 'nope', hidden: true },
          }),
        { code: 27, codeName: 'IndexNotFound' },
      );
      await expectCommandError(
        () =>
          database.db.command({
            collMod: collection.collectionName,
            index: { name: 'a_1', hidden: true, frobnicate: 1 },
          }),
        { code: 40415, codeName: 'Location40415' },
      );
    }),
  );
});
