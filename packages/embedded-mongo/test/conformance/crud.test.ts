import {
  Decimal128,
  Double,
  Int32,
  Long,
  MongoBulkWriteError,
  ObjectId,
  type Document,
  type WriteError,
} from 'mongodb';

import { expectWriteError } from '../support/server-errors';
import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('crud');

/** Ten small documents, _id 1..10, with a few fields to filter, sort and project on. */
function numbered(count = 10) {
  return Array.from({ length: count }, (_unused, index) => ({
    _id: index + 1,
    n: index + 1,
    parity: (index + 1) % 2 === 0 ? 'even' : 'odd',
    square: (index + 1) ** 2,
  }));
}

/** The driver types `writeErrors` as one or many; it is an array at run time, but be safe. */
function writeErrorsOf(error: MongoBulkWriteError): WriteError[] {
  return [error.writeErrors].flat();
}

/** Five documents whose third repeats the first one's _id. */
const WITH_DUPLICATE_AT_2 = [{ _id: 1 }, { _id: 2 }, { _id: 1 }, { _id: 3 }, { _id: 4 }];

describe('insert', () => {
  it(
    'insertOne stores the document and returns its _id',
    traced(async () => {
      const collection = database.collection();
      const result = await collection.insertOne({ name: 'Ada', tags: ['x'] });
      expect(result.acknowledged).toBe(true);
      expect(result.insertedId).toBeInstanceOf(ObjectId);
      expect(await collection.find().toArray()).toEqual([
        { _id: result.insertedId, name: 'Ada', tags: ['x'] },
      ]);
    }),
  );

  it(
    'the server adds an ObjectId _id, as the first field, when the insert command has none',
    traced(async () => {
      const collection = database.collection();
      const reply = await database.db.command({
        insert: collection.collectionName,
        documents: [{ name: 'no id', n: 1 }],
      });
      expect(reply).toMatchObject({ ok: 1, n: 1 });
      const [stored] = await collection.find().toArray();
      expect(stored._id).toBeInstanceOf(ObjectId);
      expect(Object.keys(stored)).toEqual(['_id', 'name', 'n']);
    }),
  );

  it(
    'insertMany inserts every document in order',
    traced(async () => {
      const collection = database.collection();
      const result = await collection.insertMany(numbered(5));
      expect(result.insertedCount).toBe(5);
      expect(result.insertedIds).toEqual({ 0: 1, 1: 2, 2: 3, 3: 4, 4: 5 });
      expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual(numbered(5));
    }),
  );

  it(
    'an ordered insertMany stops at the duplicate and reports its index',
    traced(async () => {
      const collection = database.collection();
      const error = await collection.insertMany(WITH_DUPLICATE_AT_2).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(MongoBulkWriteError);
      const bulkError = error as MongoBulkWriteError;
      expect(bulkError.code).toBe(11000);
      expect(bulkError.insertedCount).toBe(2);
      expect(writeErrorsOf(bulkError)).toMatchObject([{ index: 2, code: 11000 }]);
      expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 1 }, { _id: 2 }]);
    }),
  );

  it(
    'an unordered insertMany inserts everything but the duplicate',
    traced(async () => {
      const collection = database.collection();
      const error = await collection.insertMany(WITH_DUPLICATE_AT_2, { ordered: false }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(MongoBulkWriteError);
      const bulkError = error as MongoBulkWriteError;
      expect(bulkError.insertedCount).toBe(4);
      expect(writeErrorsOf(bulkError)).toMatchObject([{ index: 2, code: 11000 }]);
      expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1 },
        { _id: 2 },
        { _id: 3 },
        { _id: 4 },
      ]);
    }),
  );
});

describe('find', () => {
  it(
    'filters, projects, sorts, skips and limits',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany(numbered());
      const found = await collection
        .find({ parity: 'even', n: { $gt: 2 } }, { projection: { _id: 0, n: 1, square: 1 } })
        .sort({ n: -1 })
        .skip(1)
        .limit(2)
        .batchSize(1)
        .toArray();
      expect(found).toEqual([
        { n: 8, square: 64 },
        { n: 6, square: 36 },
      ]);
    }),
  );

  it(
    'matches comparison, logical, element, array and regex operators',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany([
        { _id: 1, a: 5, tags: ['red', 'blue'], name: 'alpha' },
        { _id: 2, a: 10, tags: ['green'], name: 'beta' },
        { _id: 3, tags: [], name: 'Alpine' },
        {
          _id: 4,
          a: null,
          name: 'gamma',
          items: [
            { k: 1, v: 'x' },
            { k: 2, v: 'y' },
          ],
        },
      ]);
      const ids = async (filter: Document) =>
        (await collection.find(filter).sort({ _id: 1 }).toArray()).map((each) => each._id);
      expect(await ids({ a: { $gte: 5, $lt: 10 } })).toEqual([1]);
      expect(await ids({ a: { $in: [10, null] } })).toEqual([2, 3, 4]);
      expect(await ids({ a: null })).toEqual([3, 4]);
      expect(await ids({ a: { $exists: false } })).toEqual([3]);
      expect(await ids({ $or: [{ a: 5 }, { name: 'gamma' }] })).toEqual([1, 4]);
      expect(await ids({ a: { $not: { $gt: 5 } } })).toEqual([1, 3, 4]);
      expect(await ids({ tags: 'blue' })).toEqual([1]);
      expect(await ids({ tags: { $size: 0 } })).toEqual([3]);
      expect(await ids({ tags: { $all: ['blue', 'red'] } })).toEqual([1]);
      expect(await ids({ items: { $elemMatch: { k: 2, v: 'y' } } })).toEqual([4]);
      expect(await ids({ 'items.k': 1 })).toEqual([4]);
      expect(await ids({ name: { $regex: '^al', $options: 'i' } })).toEqual([1, 3]);
      expect(await ids({ a: { $type: 'number' } })).toEqual([1, 2]);
      expect(await ids({ a: { $type: 'null' } })).toEqual([4]);
    }),
  );

  it(
    'matches numbers across int, long and double, dates by range and ObjectIds by value',
    traced(async () => {
      const collection = database.collection();
      const owner = new ObjectId();
      await collection.insertMany([
        { _id: 1, n: new Int32(1), at: new Date('2024-01-01T00:00:00Z'), owner },
        { _id: 2, n: new Double(1), at: new Date('2024-06-01T00:00:00Z'), owner: new ObjectId() },
        { _id: 3, n: Long.fromNumber(1), at: new Date('2025-01-01T00:00:00Z'), owner },
        { _id: 4, n: new Double(1.5), at: '2024-03-01' },
      ]);
      const ids = async (filter: Document) =>
        (await collection.find(filter).sort({ _id: 1 }).toArray()).map((each) => each._id);
      expect(await ids({ n: 1 })).toEqual([1, 2, 3]);
      expect(await ids({ n: { $gt: 1 } })).toEqual([4]);
      expect(
        await ids({
          at: { $gte: new Date('2024-01-01T00:00:00Z'), $lt: new Date('2025-01-01T00:00:00Z') },
        }),
      ).toEqual([1, 2]);
      expect(await ids({ owner: new ObjectId(owner.toHexString()) })).toEqual([1, 3]);
      expect(await ids({ owner: { $in: [owner] } })).toEqual([1, 3]);
    }),
  );

  it(
    'keeps the value of every number it stores, and $type "number" matches int, long and double',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({
        _id: 1,
        int: new Int32(1),
        long: Long.fromNumber(1),
        double: new Double(1.5),
        decimal: Decimal128.fromString('1.0'),
      });
      const stored = await collection.findOne({ _id: 1 });
      expect(stored).toMatchObject({ int: 1, long: 1, double: 1.5 });
      expect(stored?.decimal).toBeInstanceOf(Decimal128);
      expect(stored?.decimal.toString()).toBe('1.0');
      const fields = ['int', 'long', 'double'];
      const matches = await Promise.all(
        fields.map((field) => collection.countDocuments({ [field]: { $type: 'number' } })),
      );
      expect(matches).toEqual([1, 1, 1]);
    }),
  );

  it(
    'findOne returns the first match by sort, or null',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany(numbered());
      expect(await collection.findOne({ parity: 'odd' }, { sort: { n: -1 } })).toMatchObject({
        n: 9,
      });
      expect(await collection.findOne({ n: 99 })).toBeNull();
    }),
  );

  it(
    'a query on a collection that does not exist finds nothing rather than failing',
    traced(async () => {
      expect(await database.collection('never_created').find({}).toArray()).toEqual([]);
    }),
  );
});

describe('update', () => {
  it(
    'updateOne changes only the first match and reports matched and modified counts',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany(numbered(4));
      const result = await collection.updateOne({ parity: 'even' }, { $set: { seen: true } });
      expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
      expect(result.upsertedId).toBeNull();
      expect(await collection.countDocuments({ seen: true })).toBe(1);
    }),
  );

  it(
    'an update that changes nothing matches but does not modify',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 1, a: 1 });
      const result = await collection.updateOne({ _id: 1 }, { $set: { a: 1 } });
      expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    }),
  );

  it(
    'updateMany changes every match',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany(numbered());
      const result = await collection.updateMany({ parity: 'odd' }, { $inc: { n: 100 } });
      expect(result).toMatchObject({ matchedCount: 5, modifiedCount: 5 });
      const odd = await collection.find({ parity: 'odd' }).sort({ _id: 1 }).toArray();
      expect(odd.map((each) => each.n)).toEqual([101, 103, 105, 107, 109]);
      expect(await collection.countDocuments({ n: { $lt: 100 } })).toBe(5);
    }),
  );

  it(
    'an upsert with no match inserts the equality fields of the filter plus the update',
    traced(async () => {
      const collection = database.collection();
      const result = await collection.updateOne(
        { sku: 'abc', qty: { $gt: 5 } },
        { $set: { price: 10 } },
        { upsert: true },
      );
      expect(result).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedCount: 1 });
      expect(result.upsertedId).toBeInstanceOf(ObjectId);
      expect(await collection.find().toArray()).toEqual([
        { _id: result.upsertedId, sku: 'abc', price: 10 },
      ]);
    }),
  );

  it(
    'an upsert takes its _id from the filter, and matches on a second run',
    traced(async () => {
      const collection = database.collection();
      const first = await collection.updateOne(
        { _id: 'k' },
        { $inc: { hits: 1 } },
        { upsert: true },
      );
      expect(first).toMatchObject({ upsertedCount: 1, upsertedId: 'k' });
      const second = await collection.updateOne(
        { _id: 'k' },
        { $inc: { hits: 1 } },
        { upsert: true },
      );
      expect(second).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
      expect(second.upsertedId).toBeNull();
      expect(await collection.find().toArray()).toEqual([{ _id: 'k', hits: 2 }]);
    }),
  );

  it(
    'updateMany with upsert inserts one document when nothing matches',
    traced(async () => {
      const collection = database.collection();
      const result = await collection.updateMany(
        { group: 'g' },
        { $set: { flag: true } },
        { upsert: true },
      );
      expect(result).toMatchObject({ matchedCount: 0, upsertedCount: 1 });
      expect(await collection.find({}, { projection: { _id: 0 } }).toArray()).toEqual([
        { group: 'g', flag: true },
      ]);
    }),
  );

  it(
    'arrayFilters update only the array elements they select',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany([
        { _id: 1, grades: [95, 92, 90] },
        { _id: 2, grades: [98, 100, 102] },
      ]);
      const result = await collection.updateMany(
        {},
        { $set: { 'grades.$[high]': 100 } },
        { arrayFilters: [{ high: { $gte: 100 } }] },
      );
      expect(result).toMatchObject({ matchedCount: 2, modifiedCount: 1 });
      expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1, grades: [95, 92, 90] },
        { _id: 2, grades: [98, 100, 100] },
      ]);
    }),
  );

  it(
    'an update pipeline computes new fields from the document',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany([
        { _id: 1, a: 2, b: 3 },
        { _id: 2, a: 10, b: -4 },
      ]);
      await collection.updateMany({}, [
        { $set: { total: { $add: ['$a', '$b'] } } },
        { $unset: 'b' },
      ]);
      expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1, a: 2, total: 5 },
        { _id: 2, a: 10, total: 6 },
      ]);
    }),
  );

  it(
    'replaceOne swaps the whole document but keeps _id',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 1, a: 1, b: 2 });
      const result = await collection.replaceOne({ a: 1 }, { c: 3 });
      expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
      expect(await collection.find().toArray()).toEqual([{ _id: 1, c: 3 }]);
    }),
  );

  it(
    'replaceOne with upsert inserts the replacement',
    traced(async () => {
      const collection = database.collection();
      const result = await collection.replaceOne({ _id: 7 }, { c: 3 }, { upsert: true });
      expect(result).toMatchObject({ upsertedCount: 1, upsertedId: 7 });
      expect(await collection.find().toArray()).toEqual([{ _id: 7, c: 3 }]);
    }),
  );

  it(
    'an update that would duplicate a unique key fails with 11000 and changes nothing',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany([
        { _id: 1, a: 1 },
        { _id: 2, a: 2 },
      ]);
      await collection.createIndex({ a: 1 }, { unique: true });
      await expectWriteError(() => collection.updateOne({ _id: 2 }, { $set: { a: 1 } }), {
        code: 11000,
        errmsg: 'E11000 duplicate key error',
      });
      expect(await collection.findOne({ _id: 2 })).toEqual({ _id: 2, a: 2 });
    }),
  );
});

describe('delete', () => {
  it(
    'deleteOne removes one match and deleteMany removes all',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany(numbered());
      expect(await collection.deleteOne({ parity: 'odd' })).toMatchObject({ deletedCount: 1 });
      expect(await collection.countDocuments({ parity: 'odd' })).toBe(4);
      expect(await collection.deleteMany({ parity: 'odd' })).toMatchObject({ deletedCount: 4 });
      expect(await collection.deleteMany({ n: { $gt: 100 } })).toMatchObject({ deletedCount: 0 });
      const left = await collection.find().sort({ _id: 1 }).toArray();
      expect(left.map((each) => each._id)).toEqual([2, 4, 6, 8, 10]);
    }),
  );
});

describe('bulkWrite', () => {
  it(
    'applies mixed operations in order and counts each kind',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany([
        { _id: 1, n: 1 },
        { _id: 2, n: 2 },
        { _id: 3, n: 3 },
      ]);
      const result = await collection.bulkWrite([
        { insertOne: { document: { _id: 4, n: 4 } } },
        { updateOne: { filter: { _id: 1 }, update: { $set: { n: 10 } } } },
        { updateMany: { filter: { n: { $lte: 3 } }, update: { $inc: { n: 100 } } } },
        { replaceOne: { filter: { _id: 4 }, replacement: { n: 40 } } },
        { deleteOne: { filter: { _id: 3 } } },
        { updateOne: { filter: { _id: 9 }, update: { $set: { n: 9 } }, upsert: true } },
        { deleteMany: { filter: { n: { $gt: 1000 } } } },
      ]);
      expect({
        insertedCount: result.insertedCount,
        matchedCount: result.matchedCount,
        modifiedCount: result.modifiedCount,
        deletedCount: result.deletedCount,
        upsertedCount: result.upsertedCount,
        upsertedIds: result.upsertedIds,
      }).toEqual({
        insertedCount: 1,
        matchedCount: 4,
        modifiedCount: 4,
        deletedCount: 1,
        upsertedCount: 1,
        upsertedIds: { 5: 9 },
      });
      expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1, n: 10 },
        { _id: 2, n: 102 },
        { _id: 4, n: 40 },
        { _id: 9, n: 9 },
      ]);
    }),
  );
});

describe('findOneAnd…', () => {
  it(
    'findOneAndUpdate returns the document before or after the update',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 1, n: 1 });
      const before = await collection.findOneAndUpdate({ _id: 1 }, { $inc: { n: 1 } });
      expect(before).toEqual({ _id: 1, n: 1 });
      const after = await collection.findOneAndUpdate(
        { _id: 1 },
        { $inc: { n: 1 } },
        { returnDocument: 'after' },
      );
      expect(after).toEqual({ _id: 1, n: 3 });
      expect(await collection.findOneAndUpdate({ _id: 2 }, { $inc: { n: 1 } })).toBeNull();
    }),
  );

  it(
    'findOneAndUpdate picks the first document by sort and can project',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany(numbered(5));
      const updated = await collection.findOneAndUpdate(
        { parity: 'odd' },
        { $set: { picked: true } },
        { sort: { n: -1 }, returnDocument: 'after', projection: { _id: 0, n: 1, picked: 1 } },
      );
      expect(updated).toEqual({ n: 5, picked: true });
      expect(await collection.countDocuments({ picked: true })).toBe(1);
    }),
  );

  it(
    'findOneAndUpdate with upsert returns null before and the new document after',
    traced(async () => {
      const collection = database.collection();
      const before = await collection.findOneAndUpdate(
        { _id: 1 },
        { $set: { a: 1 } },
        { upsert: true },
      );
      expect(before).toBeNull();
      const after = await collection.findOneAndUpdate(
        { _id: 2 },
        { $set: { a: 2 } },
        { upsert: true, returnDocument: 'after' },
      );
      expect(after).toEqual({ _id: 2, a: 2 });
      expect(await collection.countDocuments()).toBe(2);
    }),
  );

  it(
    'findOneAndUpdate with includeResultMetadata reports whether it upserted',
    traced(async () => {
      const collection = database.collection();
      const result = await collection.findOneAndUpdate(
        { _id: 1 },
        { $set: { a: 1 } },
        { upsert: true, returnDocument: 'after', includeResultMetadata: true },
      );
      expect(result.ok).toBe(1);
      expect(result.value).toEqual({ _id: 1, a: 1 });
      expect(result.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false, upserted: 1 });
    }),
  );

  it(
    'findOneAndReplace returns the old or the new document',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 1, a: 1 });
      expect(await collection.findOneAndReplace({ _id: 1 }, { b: 2 })).toEqual({ _id: 1, a: 1 });
      expect(
        await collection.findOneAndReplace({ _id: 1 }, { c: 3 }, { returnDocument: 'after' }),
      ).toEqual({ _id: 1, c: 3 });
      expect(
        await collection.findOneAndReplace(
          { _id: 5 },
          { d: 4 },
          { upsert: true, returnDocument: 'after' },
        ),
      ).toEqual({ _id: 5, d: 4 });
    }),
  );

  it(
    'findOneAndDelete removes and returns the first document by sort',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany(numbered(5));
      expect(await collection.findOneAndDelete({ parity: 'even' }, { sort: { n: 1 } })).toEqual(
        numbered(5)[1],
      );
      expect(await collection.countDocuments()).toBe(4);
      expect(await collection.findOne({ _id: 2 })).toBeNull();
      expect(await collection.findOneAndDelete({ n: 99 })).toBeNull();
    }),
  );
});

describe('counting and distinct', () => {
  it(
    'countDocuments counts matches, honouring skip and limit',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany(numbered());
      expect(await collection.countDocuments()).toBe(10);
      expect(await collection.countDocuments({ parity: 'even' })).toBe(5);
      expect(await collection.countDocuments({}, { skip: 3, limit: 4 })).toBe(4);
      expect(await collection.countDocuments({}, { skip: 8 })).toBe(2);
      expect(await database.collection('never_created').countDocuments()).toBe(0);
    }),
  );

  it(
    'estimatedDocumentCount and the count command agree with the data',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany(numbered(7));
      expect(await collection.estimatedDocumentCount()).toBe(7);
      const all = await database.db.command({ count: collection.collectionName });
      expect(all).toMatchObject({ ok: 1, n: 7 });
      const odd = await database.db.command({
        count: collection.collectionName,
        query: { parity: 'odd' },
      });
      expect(odd).toMatchObject({ ok: 1, n: 4 });
      const missing = await database.db.command({ count: 'never_created_either' });
      expect(missing).toMatchObject({ ok: 1, n: 0 });
    }),
  );

  it(
    'distinct returns each value once, unwinding arrays',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany([
        { _id: 1, tag: ['a', 'b'], kind: 'x' },
        { _id: 2, tag: ['b', 'c'], kind: 'y' },
        { _id: 3, tag: 'd', kind: 'x' },
        { _id: 4, kind: 'x' },
        { _id: 5, tag: 'a', kind: 'z' },
      ]);
      expect((await collection.distinct('tag')).sort()).toEqual(['a', 'b', 'c', 'd']);
      expect((await collection.distinct('kind')).sort()).toEqual(['x', 'y', 'z']);
      expect((await collection.distinct('tag', { kind: 'x' })).sort()).toEqual(['a', 'b', 'd']);
      expect(await collection.distinct('nothing')).toEqual([]);
    }),
  );
});
