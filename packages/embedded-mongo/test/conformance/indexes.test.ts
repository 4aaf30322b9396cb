import { setTimeout as sleep } from 'node:timers/promises';

import { expectCommandError, expectWriteError } from '../support/server-errors';
import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('indexes');

const ID_INDEX = { v: 2, key: { _id: 1 }, name: '_id_' };

describe('createIndexes and listIndexes', () => {
  it(
    'a new collection has only the _id index',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ a: 1 });
      expect(await collection.listIndexes().toArray()).toEqual([ID_INDEX]);
    }),
  );

  it(
    'listIndexes on a collection that does not exist is NamespaceNotFound (26)',
    traced(async () => {
      await expectCommandError(() => database.collection('missing').listIndexes().toArray(), {
        code: 26,
        codeName: 'NamespaceNotFound',
      });
    }),
  );

  it(
    'names indexes after their keys and lists their options',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ a: 1, b: 1, c: 1, d: new Date() });
      expect(await collection.createIndex({ a: 1, b: -1 })).toBe('a_1_b_-1');
      expect(await collection.createIndex({ c: 1 }, { unique: true, sparse: true })).toBe('c_1');
      expect(await collection.createIndex({ d: 1 }, { expireAfterSeconds: 3600 })).toBe('d_1');
      expect(await collection.createIndex({ e: -1 }, { name: 'custom' })).toBe('custom');
      const indexes = await collection.listIndexes().toArray();
      expect(indexes.sort((x, y) => (x.name < y.name ? -1 : 1))).toEqual([
        ID_INDEX,
        { v: 2, key: { a: 1, b: -1 }, name: 'a_1_b_-1' },
        { v: 2, key: { c: 1 }, name: 'c_1', unique: true, sparse: true },
        { v: 2, key: { e: -1 }, name: 'custom' },
        { v: 2, key: { d: 1 }, name: 'd_1', expireAfterSeconds: 3600 },
      ]);
    }),
  );

  it(
    'the createIndexes reply counts indexes and says whether it created the collection',
    traced(async () => {
      const collection = database.collection();
      const created = await database.db.command({
        createIndexes: collection.collectionName,
        indexes: [{ key: { a: 1 }, name: 'a_1' }],
      });
      expect(created).toMatchObject({
        ok: 1,
        numIndexesBefore: 1,
        numIndexesAfter: 2,
        createdCollectionAutomatically: true,
      });
      const again = await database.db.command({
        createIndexes: collection.collectionName,
        indexes: [
          { key: { a: 1 }, name: 'a_1' },
          { key: { b: 1 }, name: 'b_1' },
        ],
      });
      expect(again).toMatchObject({
        ok: 1,
        numIndexesBefore: 2,
        numIndexesAfter: 3,
        createdCollectionAutomatically: false,
      });
    }),
  );

  it(
    'creating an identical index again is a no-op',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ a: 1 }, { unique: true });
      expect(await collection.createIndex({ a: 1 }, { unique: true })).toBe('a_1');
      expect((await collection.listIndexes().toArray()).map((index) => index.name)).toEqual([
        '_id_',
        'a_1',
      ]);
    }),
  );

  it(
    'the same name for different keys is IndexKeySpecsConflict (86)',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ a: 1 }, { name: 'by_a' });
      await expectCommandError(() => collection.createIndex({ b: 1 }, { name: 'by_a' }), {
        code: 86,
        codeName: 'IndexKeySpecsConflict',
      });
    }),
  );

  it(
    'the same keys under another name is IndexOptionsConflict (85)',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ a: 1 }, { name: 'first' });
      await expectCommandError(() => collection.createIndex({ a: 1 }, { name: 'second' }), {
        code: 85,
        codeName: 'IndexOptionsConflict',
      });
    }),
  );
});

describe('dropIndexes', () => {
  it(
    'drops one index by name, then all but _id with "*"',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndexes([{ key: { a: 1 } }, { key: { b: 1 } }, { key: { c: 1 } }]);
      await collection.dropIndex('b_1');
      expect((await collection.listIndexes().toArray()).map((index) => index.name).sort()).toEqual([
        '_id_',
        'a_1',
        'c_1',
      ]);
      const reply = await database.db.command({
        dropIndexes: collection.collectionName,
        index: '*',
      });
      expect(reply).toMatchObject({ ok: 1, nIndexesWas: 3 });
      expect(await collection.listIndexes().toArray()).toEqual([ID_INDEX]);
    }),
  );

  it(
    'drops an index by its key pattern',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ a: 1, b: -1 });
      await database.db.command({ dropIndexes: collection.collectionName, index: { a: 1, b: -1 } });
      expect(await collection.listIndexes().toArray()).toEqual([ID_INDEX]);
    }),
  );

  it(
    'dropping a missing index is IndexNotFound (27); dropping _id_ is refused (72)',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ a: 1 });
      await expectCommandError(() => collection.dropIndex('nope_1'), {
        code: 27,
        codeName: 'IndexNotFound',
        errmsg: 'nope_1',
      });
      await expectCommandError(() => collection.dropIndex('_id_'), {
        code: 72,
        codeName: 'InvalidOptions',
        errmsg: 'cannot drop _id index',
      });
      expect(await collection.listIndexes().toArray()).toEqual([ID_INDEX]);
    }),
  );
});

describe('unique indexes', () => {
  it(
    'a duplicate reports code 11000, keyPattern, keyValue and the documented errmsg',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ email: 1 }, { unique: true });
      await collection.insertOne({ email: 'a@example.com' });
      const error = await expectWriteError(() => collection.insertOne({ email: 'a@example.com' }), {
        code: 11000,
      });
      expect(error.keyPattern).toEqual({ email: 1 });
      expect(error.keyValue).toEqual({ email: 'a@example.com' });
      expect(error.errmsg).toContain(
        `E11000 duplicate key error collection: ${database.name}.${collection.collectionName} ` +
          'index: email_1 dup key:',
      );
      expect(await collection.countDocuments()).toBe(1);
    }),
  );

  it(
    'a duplicate _id is a duplicate on the _id_ index',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 7, v: 'first' });
      const error = await expectWriteError(() => collection.insertOne({ _id: 7, v: 'second' }), {
        code: 11000,
      });
      expect(error.keyPattern).toEqual({ _id: 1 });
      expect(error.keyValue).toEqual({ _id: 7 });
      expect(error.errmsg).toContain(
        `E11000 duplicate key error collection: ${database.name}.${collection.collectionName} ` +
          'index: _id_ dup key:',
      );
      expect(await collection.find().toArray()).toEqual([{ _id: 7, v: 'first' }]);
    }),
  );

  it(
    'a compound unique index only rejects the same combination',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ a: 1, b: 1 }, { unique: true });
      await collection.insertMany([
        { a: 1, b: 1 },
        { a: 1, b: 2 },
        { a: 2, b: 1 },
      ]);
      const error = await expectWriteError(() => collection.insertOne({ a: 1, b: 2 }), {
        code: 11000,
        errmsg: 'index: a_1_b_1 dup key:',
      });
      expect(error.keyPattern).toEqual({ a: 1, b: 1 });
      expect(error.keyValue).toEqual({ a: 1, b: 2 });
      expect(await collection.countDocuments()).toBe(3);
    }),
  );

  it(
    'a missing field counts as null, once, unless the index is sparse',
    traced(async () => {
      const dense = database.collection();
      await dense.createIndex({ code: 1 }, { unique: true });
      await dense.insertOne({ name: 'first' });
      const error = await expectWriteError(() => dense.insertOne({ name: 'second' }), {
        code: 11000,
      });
      expect(error.keyValue).toEqual({ code: null });

      const sparse = database.collection();
      await sparse.createIndex({ code: 1 }, { unique: true, sparse: true });
      await sparse.insertMany([{ name: 'first' }, { name: 'second' }, { code: 'x' }]);
      await expectWriteError(() => sparse.insertOne({ code: 'x' }), { code: 11000 });
      expect(await sparse.countDocuments()).toBe(3);
    }),
  );

  it(
    'building a unique index over existing duplicates fails with 11000 and leaves no index',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany([{ a: 1 }, { a: 2 }, { a: 1 }]);
      await expectCommandError(() => collection.createIndex({ a: 1 }, { unique: true }), {
        code: 11000,
        codeName: 'DuplicateKey',
        errmsg: 'E11000 duplicate key error',
      });
      expect(await collection.listIndexes().toArray()).toEqual([ID_INDEX]);
    }),
  );

  it(
    'dropping a unique index lifts the constraint',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ a: 1 }, { unique: true });
      await collection.insertOne({ a: 1 });
      await collection.dropIndex('a_1');
      await collection.insertOne({ a: 1 });
      expect(await collection.countDocuments({ a: 1 })).toBe(2);
    }),
  );
});

describe('queries use indexes', () => {
  // 30 accounts over 3 brands, 10 quotes-like rows per customer id: what the explain output's
  // executionStats reports is how many documents each query had to read.
  async function accounts() {
    const collection = database.collection();
    await collection.createIndex({ email: 1 }, { unique: true });
    await collection.createIndex({ brand: 1, accountId: 1 }, { unique: true });
    await collection.createIndex({ customerId: 1, createdAt: -1 });
    await collection.insertMany(
      Array.from({ length: 30 }, (_, i) => ({
        _id: i,
        email: `person${i}@example.com`,
        brand: ['JOHN_LEWIS', 'WAITROSE', 'JOHN_LEWIS_FINANCE'][i % 3],
        accountId: `A${i}`,
        customerId: Math.floor(i / 10),
        createdAt: new Date(Date.UTC(2024, 0, i + 1)),
        note: `row ${i}`,
      })),
    );
    return collection;
  }

  async function examined(collection: Awaited<ReturnType<typeof accounts>>, filter: object) {
    const explained = await collection.find(filter).explain('executionStats');
    const { nReturned, totalDocsExamined } = explained.executionStats;
    return { nReturned, totalDocsExamined };
  }

  it(
    'an equality on _id, a unique field or a whole compound key reads one document',
    traced(async () => {
      const collection = await accounts();
      for (const filter of [
        { _id: 17 },
        { email: 'person17@example.com' },
        { brand: 'WAITROSE', accountId: 'A10' },
      ]) {
        expect(await examined(collection, filter)).toEqual({ nReturned: 1, totalDocsExamined: 1 });
      }
    }),
  );

  it(
    "an equality on a compound index's first field reads only the documents that hold it",
    traced(async () => {
      const collection = await accounts();
      expect(await examined(collection, { customerId: 2 })).toEqual({
        nReturned: 10,
        totalDocsExamined: 10,
      });
      expect(await examined(collection, { customerId: { $in: [0, 2] }, note: 'row 25' })).toEqual({
        nReturned: 1,
        totalDocsExamined: 20,
      });
    }),
  );

  it(
    'a filter on an unindexed field reads the whole collection',
    traced(async () => {
      const collection = await accounts();
      expect(await examined(collection, { note: 'row 5' })).toEqual({
        nReturned: 1,
        totalDocsExamined: 30,
      });
    }),
  );
});

describe('TTL indexes', () => {
  const TTL_POLL_LIMIT_MS = 12_000;
  const TTL_POLL_INTERVAL_MS = 250;

  it(
    'the TTL monitor removes expired documents and keeps the rest',
    traced(async () => {
      const admin = database.db.admin();
      const collection = database.collection();
      await collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
      await collection.insertMany([
        { _id: 'expired', expiresAt: new Date(Date.now() - 60_000) },
        { _id: 'future', expiresAt: new Date(Date.now() + 3_600_000) },
        { _id: 'not a date', expiresAt: 'yesterday' },
        { _id: 'no field' },
      ]);

      const set = await admin.command({ setParameter: 1, ttlMonitorSleepSecs: 1 });
      expect(set.ok).toBe(1);
      expect(typeof set.was).toBe('number');
      try {
        const current = await admin.command({ getParameter: 1, ttlMonitorSleepSecs: 1 });
        expect(current).toMatchObject({ ok: 1, ttlMonitorSleepSecs: 1 });
        const deadline = Date.now() + TTL_POLL_LIMIT_MS;
        while ((await collection.countDocuments({ _id: 'expired' })) > 0) {
          if (Date.now() > deadline) {
            throw new Error(`the expired document was still there after ${TTL_POLL_LIMIT_MS} ms`);
          }
          await sleep(TTL_POLL_INTERVAL_MS);
        }
      } finally {
        await admin.command({ setParameter: 1, ttlMonitorSleepSecs: set.was });
      }
      const left = await collection.find().toArray();
      expect(left.map((each) => each._id).sort()).toEqual(['future', 'no field', 'not a date']);
    }),
    30_000,
  );
});

describe('partial, sparse and hashed indexes', () => {
  it(
    'a unique partial index holds unique only the documents its filter selects',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex(
        { email: 1 },
        {
          unique: true,
          partialFilterExpression: {
            $and: [{ active: true }, { age: { $gte: 18 } }, { email: { $exists: true } }],
          },
        },
      );
      await collection.insertMany([
        { _id: 1, email: 'a', active: true, age: 30 },
        { _id: 2, email: 'a', active: false, age: 30 },
        { _id: 3, email: 'a', active: true, age: 12 },
      ]);
      await expectWriteError(
        () => collection.insertOne({ _id: 4, email: 'a', active: true, age: 40 }),
        { code: 11000 },
      );
      // Leaving the filter's selection frees the key.
      await collection.updateOne({ _id: 1 }, { $set: { active: false } });
      await collection.insertOne({ _id: 4, email: 'a', active: true, age: 40 });
      const listed = await collection.listIndexes().toArray();
      expect(listed.find((index) => index.name === 'email_1')).toMatchObject({
        unique: true,
        partialFilterExpression: expect.any(Object),
      });
    }),
  );

  it(
    'a partial filter may use equality, $exists: true, comparisons and $type',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex(
        { code: 1 },
        { unique: true, partialFilterExpression: { code: { $type: 'string' }, n: { $lt: 5 } } },
      );
      await collection.insertMany([
        { code: 'x', n: 1 },
        { code: 'x', n: 9 },
        { code: 7, n: 1 },
        { code: 7, n: 1 },
      ]);
      await expectWriteError(() => collection.insertOne({ code: 'x', n: 2 }), { code: 11000 });
    }),
  );

  it(
    'a partial filter that negates is refused (67), as is mixing it with sparse',
    traced(async () => {
      const collection = database.collection();
      await expectCommandError(
        () =>
          collection.createIndex({ a: 1 }, { partialFilterExpression: { a: { $exists: false } } }),
        { code: 67, codeName: 'CannotCreateIndex' },
      );
      await expectCommandError(
        () =>
          collection.createIndex(
            { a: 1 },
            { sparse: true, partialFilterExpression: { a: { $exists: true } } },
          ),
        { code: 67, codeName: 'CannotCreateIndex' },
      );
    }),
  );

  it(
    'a sparse unique index skips documents without the field',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ nickname: 1 }, { unique: true, sparse: true });
      await collection.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3, nickname: 'ada' }]);
      await expectWriteError(() => collection.insertOne({ _id: 4, nickname: 'ada' }), {
        code: 11000,
      });
      // A null is a value, not a missing field: two nulls collide.
      await collection.insertOne({ _id: 5, nickname: null });
      await expectWriteError(() => collection.insertOne({ _id: 6, nickname: null }), {
        code: 11000,
      });
      expect(await collection.countDocuments()).toBe(4);
    }),
  );

  it(
    'a hashed index answers equality lookups and is listed with its key',
    traced(async () => {
      const collection = database.collection();
      expect(await collection.createIndex({ accountId: 'hashed' })).toBe('accountId_hashed');
      await collection.insertMany(
        Array.from({ length: 20 }, (_, i) => ({ _id: i, accountId: `A${i % 10}` })),
      );
      const explained = await collection.find({ accountId: 'A3' }).explain('executionStats');
      expect(explained.executionStats).toMatchObject({ nReturned: 2, totalDocsExamined: 2 });
      expect(JSON.stringify(explained.queryPlanner.winningPlan)).toContain('accountId_hashed');
      const listed = await collection.listIndexes().toArray();
      expect(listed.find((index) => index.name === 'accountId_hashed')).toMatchObject({
        key: { accountId: 'hashed' },
      });
    }),
  );

  it(
    'a hashed index cannot be unique (16764) and refuses arrays (16766)',
    traced(async () => {
      const collection = database.collection();
      await expectCommandError(() => collection.createIndex({ a: 'hashed' }, { unique: true }), {
        code: 16764,
        codeName: 'Location16764',
      });
      await collection.createIndex({ a: 'hashed' });
      await expectWriteError(() => collection.insertOne({ a: [1, 2] }), { code: 16766 });
    }),
  );
});
