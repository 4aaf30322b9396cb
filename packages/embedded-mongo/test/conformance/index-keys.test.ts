import { Decimal128, Long } from 'mongodb';

import { expectCommandError, expectWriteError } from '../support/server-errors';
import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

// How values become index keys: exact numbers, empty arrays, and arrays in compound indexes.

const database = useTestDatabase('index_keys');

const TWO_POW_53 = '9007199254740992';
const TWO_POW_53_PLUS_1 = '9007199254740993';

describe('numbers are keyed by their exact value', () => {
  it(
    'int64 2^53 + 1 and 2^53 are different _ids',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: Long.fromString(TWO_POW_53_PLUS_1) as never, label: '+1' });
      await collection.insertOne({ _id: Long.fromString(TWO_POW_53) as never, label: 'even' });
      expect(await collection.countDocuments()).toBe(2);
      const found = await collection.findOne({ _id: Long.fromString(TWO_POW_53_PLUS_1) as never });
      expect(found?.label).toBe('+1');
    }),
  );

  it(
    'a unique index tells int64 2^53 + 1 from the double 2^53, and equal values collide',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ n: 1 }, { unique: true });
      await collection.insertOne({ n: Long.fromString(TWO_POW_53_PLUS_1) });
      await collection.insertOne({ n: 9007199254740992 });
      await expectWriteError(
        () => collection.insertOne({ n: Decimal128.fromString(TWO_POW_53_PLUS_1) }),
        { code: 11000 },
      );
      await expectWriteError(
        () => collection.insertOne({ n: Decimal128.fromString(`${TWO_POW_53}.0`) }),
        {
          code: 11000,
        },
      );
      expect(await collection.countDocuments()).toBe(2);
    }),
  );
});

describe('empty arrays', () => {
  it(
    'in a unique index, { tags: [] } and a document without tags are both allowed',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ tags: 1 }, { unique: true });
      await collection.insertOne({ _id: 1, tags: [] });
      await collection.insertOne({ _id: 2 });
      await expectWriteError(() => collection.insertOne({ _id: 3, tags: null }), { code: 11000 });
      await expectWriteError(() => collection.insertOne({ _id: 4, tags: [] }), { code: 11000 });
      expect(await collection.find({ tags: null }).toArray()).toEqual([{ _id: 2 }]);
      expect(await collection.find({ tags: [] }).toArray()).toEqual([{ _id: 1, tags: [] }]);
    }),
  );
});

describe('parallel arrays', () => {
  it(
    'a document with arrays in two fields of a compound index is refused (171)',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ a: 1, b: 1 });
      await expectWriteError(() => collection.insertOne({ _id: 1, a: [1, 2], b: [3, 4] }), {
        code: 171,
        errmsg: 'cannot index parallel arrays',
      });
      await collection.insertOne({ _id: 2, a: [1, 2], b: 3 });
      await expectWriteError(() => collection.updateOne({ _id: 2 }, { $set: { b: [3, 4] } }), {
        code: 171,
        errmsg: 'cannot index parallel arrays',
      });
      expect(await collection.find().toArray()).toEqual([{ _id: 2, a: [1, 2], b: 3 }]);
    }),
  );

  it(
    'fields under one array are not parallel',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ 'items.sku': 1, 'items.qty': 1 });
      await collection.insertOne({
        _id: 1,
        items: [
          { sku: 'a', qty: 1 },
          { sku: 'b', qty: 2 },
        ],
      });
      expect(await collection.countDocuments({ 'items.sku': 'b' })).toBe(1);
    }),
  );

  it(
    'building a compound index over documents with parallel arrays fails (171)',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 1, a: [1, 2], b: [3, 4] });
      await expectCommandError(() => collection.createIndex({ a: 1, b: 1 }), {
        code: 171,
        codeName: 'CannotIndexParallelArrays',
        errmsg: 'cannot index parallel arrays',
      });
      expect((await collection.listIndexes().toArray()).map((index) => index.name)).toEqual([
        '_id_',
      ]);
    }),
  );
});
