import { Timestamp, type Document } from 'mongodb';

import { expectWriteError } from '../support/server-errors';
import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('update_operators');

/** Stores `document`, applies `update` to it and returns what is stored afterwards. */
async function applyUpdate(
  document: Document,
  update: Document | Document[],
  options: { arrayFilters?: Document[] } = {},
): Promise<Document | null> {
  const collection = database.collection();
  await collection.insertOne({ _id: 1, ...document });
  await collection.updateOne({ _id: 1 }, update, options);
  return collection.findOne({ _id: 1 });
}

describe('field operators', () => {
  it(
    '$set replaces values and creates missing embedded documents along a dotted path',
    traced(async () => {
      expect(await applyUpdate({ a: 1 }, { $set: { a: 2, 'b.c.d': 'deep' } })).toEqual({
        _id: 1,
        a: 2,
        b: { c: { d: 'deep' } },
      });
    }),
  );

  it(
    '$set on an array index past the end pads with null',
    traced(async () => {
      expect(await applyUpdate({ arr: [1, 2] }, { $set: { 'arr.4': 5 } })).toEqual({
        _id: 1,
        arr: [1, 2, null, null, 5],
      });
    }),
  );

  it(
    '$unset removes fields, and nulls an array element rather than shifting',
    traced(async () => {
      expect(
        await applyUpdate({ a: 1, b: 2, arr: [1, 2, 3] }, { $unset: { a: '', 'arr.1': '' } }),
      ).toEqual({ _id: 1, b: 2, arr: [1, null, 3] });
    }),
  );

  it(
    '$inc adds (negative too) and creates a missing field',
    traced(async () => {
      expect(
        await applyUpdate({ a: 5, b: 1.5 }, { $inc: { a: -2, b: 1, 'c.d': 4, e: 0.5 } }),
      ).toEqual({ _id: 1, a: 3, b: 2.5, c: { d: 4 }, e: 0.5 });
    }),
  );

  it(
    '$mul multiplies, and sets a missing field to 0',
    traced(async () => {
      expect(
        await applyUpdate({ price: 10, qty: 3 }, { $mul: { price: 1.5, qty: 2, n: 7 } }),
      ).toEqual({ _id: 1, price: 15, qty: 6, n: 0 });
    }),
  );

  it(
    '$min and $max only move a value in their direction',
    traced(async () => {
      expect(
        await applyUpdate(
          { low: 5, high: 5, lowKept: 5, highKept: 5 },
          { $min: { low: 3, lowKept: 9, fresh: 1 }, $max: { high: 9, highKept: 1 } },
        ),
      ).toEqual({ _id: 1, low: 3, high: 9, lowKept: 5, highKept: 5, fresh: 1 });
      const earlier = new Date('2020-01-01T00:00:00Z');
      const later = new Date('2021-01-01T00:00:00Z');
      expect(await applyUpdate({ at: later }, { $min: { at: earlier } })).toEqual({
        _id: 1,
        at: earlier,
      });
    }),
  );

  it(
    '$rename moves a field, including into an embedded document',
    traced(async () => {
      expect(
        await applyUpdate(
          { nick: 'Al', name: { first: 'Alan' } },
          {
            $rename: { nick: 'alias', 'name.first': 'name.given', missing: 'whatever' },
          },
        ),
      ).toEqual({ _id: 1, alias: 'Al', name: { given: 'Alan' } });
    }),
  );

  it(
    '$currentDate sets a Date by default and a Timestamp on request',
    traced(async () => {
      const before = Date.now();
      const updated = await applyUpdate(
        { a: 1 },
        { $currentDate: { changed: true, stamp: { $type: 'timestamp' }, day: { $type: 'date' } } },
      );
      const after = Date.now();
      expect(updated?.changed).toBeInstanceOf(Date);
      expect(updated?.day).toBeInstanceOf(Date);
      // Server clocks are compared to ours, so allow a little skew either way.
      expect(updated?.changed.getTime()).toBeGreaterThanOrEqual(before - 5_000);
      expect(updated?.changed.getTime()).toBeLessThanOrEqual(after + 5_000);
      expect(updated?.stamp).toBeInstanceOf(Timestamp);
      const seconds = (updated?.stamp as Timestamp).high;
      expect(seconds).toBeGreaterThanOrEqual(Math.floor(before / 1000) - 5);
      expect(seconds).toBeLessThanOrEqual(Math.ceil(after / 1000) + 5);
    }),
  );

  it(
    '$setOnInsert applies only when an upsert inserts',
    traced(async () => {
      const collection = database.collection();
      const update = { $set: { seen: true }, $setOnInsert: { createdBy: 'upsert' } };
      await collection.updateOne({ _id: 1 }, update, { upsert: true });
      expect(await collection.findOne({ _id: 1 })).toEqual({
        _id: 1,
        seen: true,
        createdBy: 'upsert',
      });
      await collection.insertOne({ _id: 2, seen: false });
      await collection.updateOne({ _id: 2 }, update, { upsert: true });
      expect(await collection.findOne({ _id: 2 })).toEqual({ _id: 2, seen: true });
    }),
  );
});

describe('array operators', () => {
  it(
    '$push appends one value, or several with $each',
    traced(async () => {
      expect(await applyUpdate({ arr: [1] }, { $push: { arr: 2, fresh: 'x' } })).toEqual({
        _id: 1,
        arr: [1, 2],
        fresh: ['x'],
      });
      expect(await applyUpdate({ arr: [1] }, { $push: { arr: { $each: [2, 3] } } })).toEqual({
        _id: 1,
        arr: [1, 2, 3],
      });
    }),
  );

  it(
    '$push with $position inserts at the index',
    traced(async () => {
      expect(
        await applyUpdate({ arr: [1, 4] }, { $push: { arr: { $each: [2, 3], $position: 1 } } }),
      ).toEqual({ _id: 1, arr: [1, 2, 3, 4] });
      expect(
        await applyUpdate({ arr: [1, 4] }, { $push: { arr: { $each: [0], $position: 0 } } }),
      ).toEqual({ _id: 1, arr: [0, 1, 4] });
    }),
  );

  it(
    '$push with $sort and $slice keeps the top of the sorted array',
    traced(async () => {
      const quizzes = [
        { wk: 1, score: 10 },
        { wk: 2, score: 8 },
      ];
      const updated = await applyUpdate(
        { quizzes },
        {
          $push: {
            quizzes: {
              $each: [
                { wk: 5, score: 8 },
                { wk: 6, score: 7 },
                { wk: 7, score: 6 },
              ],
              $sort: { score: -1, wk: 1 },
              $slice: 3,
            },
          },
        },
      );
      expect(updated?.quizzes).toEqual([
        { wk: 1, score: 10 },
        { wk: 2, score: 8 },
        { wk: 5, score: 8 },
      ]);
      expect(
        await applyUpdate(
          { arr: [5, 1] },
          { $push: { arr: { $each: [3], $sort: 1, $slice: -2 } } },
        ),
      ).toEqual({ _id: 1, arr: [3, 5] });
    }),
  );

  it(
    '$addToSet adds only values not already present, also with $each',
    traced(async () => {
      expect(await applyUpdate({ tags: ['a', 'b'] }, { $addToSet: { tags: 'a' } })).toEqual({
        _id: 1,
        tags: ['a', 'b'],
      });
      expect(
        await applyUpdate(
          { tags: ['a', 'b'] },
          { $addToSet: { tags: { $each: ['c', 'a', 'c', 'd'] } } },
        ),
      ).toEqual({ _id: 1, tags: ['a', 'b', 'c', 'd'] });
    }),
  );

  it(
    '$pull removes every equal value, or every element matching a condition',
    traced(async () => {
      expect(
        await applyUpdate(
          { fruits: ['apple', 'pear', 'apple', 'fig'], scores: [1, 6, 9, 3, 7] },
          { $pull: { fruits: 'apple', scores: { $gte: 6 } } },
        ),
      ).toEqual({ _id: 1, fruits: ['pear', 'fig'], scores: [1, 3] });
      expect(
        await applyUpdate(
          {
            results: [
              { item: 'A', score: 5 },
              { item: 'B', score: 8 },
              { item: 'C', score: 8 },
            ],
          },
          { $pull: { results: { score: 8, item: 'B' } } },
        ),
      ).toEqual({
        _id: 1,
        results: [
          { item: 'A', score: 5 },
          { item: 'C', score: 8 },
        ],
      });
    }),
  );

  it(
    '$pop removes the last element with 1 and the first with -1',
    traced(async () => {
      expect(await applyUpdate({ arr: [1, 2, 3] }, { $pop: { arr: 1 } })).toEqual({
        _id: 1,
        arr: [1, 2],
      });
      expect(await applyUpdate({ arr: [1, 2, 3] }, { $pop: { arr: -1 } })).toEqual({
        _id: 1,
        arr: [2, 3],
      });
    }),
  );
});

describe('positional operators', () => {
  it(
    '$ updates the first element the query matched',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 1, grades: [80, 85, 80] });
      await collection.updateOne({ _id: 1, grades: 80 }, { $set: { 'grades.$': 82 } });
      expect(await collection.findOne({ _id: 1 })).toEqual({ _id: 1, grades: [82, 85, 80] });
      await collection.insertOne({
        _id: 2,
        items: [
          { sku: 'a', n: 1 },
          { sku: 'b', n: 1 },
        ],
      });
      await collection.updateOne({ _id: 2, 'items.sku': 'b' }, { $inc: { 'items.$.n': 5 } });
      expect(await collection.findOne({ _id: 2 })).toEqual({
        _id: 2,
        items: [
          { sku: 'a', n: 1 },
          { sku: 'b', n: 6 },
        ],
      });
    }),
  );

  it(
    '$[] updates every element',
    traced(async () => {
      expect(
        await applyUpdate(
          { grades: [1, 2, 3], items: [{ n: 1 }, { n: 2 }] },
          { $inc: { 'grades.$[]': 10, 'items.$[].n': 100 } },
        ),
      ).toEqual({ _id: 1, grades: [11, 12, 13], items: [{ n: 101 }, { n: 102 }] });
    }),
  );

  it(
    '$[identifier] updates the elements the array filter selects',
    traced(async () => {
      expect(
        await applyUpdate(
          { items: [{ n: 1 }, { n: 5 }, { n: 9 }] },
          { $set: { 'items.$[big].flag': true } },
          { arrayFilters: [{ 'big.n': { $gt: 4 } }] },
        ),
      ).toEqual({ _id: 1, items: [{ n: 1 }, { n: 5, flag: true }, { n: 9, flag: true }] });
    }),
  );
});

describe('paths through arrays', () => {
  const family = () => ({
    _id: 1,
    name: 'Ada',
    children: [
      { id: 1, a: 0, b: 0 },
      { id: 2, a: 0, b: 0 },
    ],
  });

  it(
    'two fields of the element the positional $ matched, and another field, in one update',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne(family());
      await collection.updateOne(
        { _id: 1, 'children.id': 2 },
        { $set: { 'children.$.a': 1, 'children.$.b': 2, name: 'Ada L' } },
      );
      expect(await collection.findOne({ _id: 1 })).toEqual({
        _id: 1,
        name: 'Ada L',
        children: [
          { id: 1, a: 0, b: 0 },
          { id: 2, a: 1, b: 2 },
        ],
      });
    }),
  );

  it(
    'the positional $ names the element the query matched even when the update changes it',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne(family());
      await collection.updateOne(
        { _id: 1, 'children.id': 1 },
        { $set: { 'children.$.id': 9, 'children.$.a': 5 } },
      );
      expect((await collection.findOne({ _id: 1 }))?.children).toEqual([
        { id: 9, a: 5, b: 0 },
        { id: 2, a: 0, b: 0 },
      ]);
    }),
  );

  it(
    '$[<identifier>] with arrayFilters on two fields of the elements, beside another field',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne(family());
      await collection.updateOne(
        { _id: 1 },
        { $set: { 'children.$[c].a': 7, 'children.$[c].b': 8, name: 'Ada K' } },
        { arrayFilters: [{ 'c.id': { $gte: 2 } }] },
      );
      expect(await collection.findOne({ _id: 1 })).toEqual({
        _id: 1,
        name: 'Ada K',
        children: [
          { id: 1, a: 0, b: 0 },
          { id: 2, a: 7, b: 8 },
        ],
      });
    }),
  );

  it(
    'the positional $ and the whole array in one update conflict (40)',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne(family());
      await expectWriteError(
        () =>
          collection.updateOne(
            { _id: 1, 'children.id': 1 },
            { $set: { 'children.$.a': 1, children: [] } },
          ),
        { code: 40, errmsg: 'would create a conflict' },
      );
    }),
  );
});

describe('$pull with conditions', () => {
  it(
    'removes the array documents that match field conditions, $or and $and',
    traced(async () => {
      const items = [
        { sku: 'a', qty: 1, tags: ['x'] },
        { sku: 'b', qty: 5 },
        { sku: 'c', qty: 9, tags: ['y'] },
        { sku: 'd', qty: 3 },
      ];
      expect(
        await applyUpdate({ items }, { $pull: { items: { qty: { $gte: 5 }, sku: 'c' } } }),
      ).toEqual({ _id: 1, items: [items[0], items[1], items[3]] });
      expect(
        await applyUpdate({ items }, { $pull: { items: { $or: [{ sku: 'a' }, { qty: 3 }] } } }),
      ).toEqual({ _id: 1, items: [items[1], items[2]] });
      expect(
        await applyUpdate(
          { items },
          { $pull: { items: { $and: [{ qty: { $gt: 1 } }, { tags: { $exists: false } }] } } },
        ),
      ).toEqual({ _id: 1, items: [items[0], items[2]] });
    }),
  );

  it(
    'a document condition matches elements that hold more fields than it names',
    traced(async () => {
      expect(
        await applyUpdate(
          {
            results: [
              { item: 'A', score: 5, note: 'x' },
              { item: 'B', score: 8 },
            ],
          },
          { $pull: { results: { item: 'A' } } },
        ),
      ).toEqual({ _id: 1, results: [{ item: 'B', score: 8 }] });
    }),
  );

  it(
    'operators apply to scalar elements, and plain values are equalities',
    traced(async () => {
      expect(
        await applyUpdate({ n: [1, 4, 6, 9, 12] }, { $pull: { n: { $gt: 5, $lt: 10 } } }),
      ).toEqual({ _id: 1, n: [1, 4, 12] });
      expect(
        await applyUpdate({ n: [1, 4, 6, 9, 12] }, { $pull: { n: { $in: [4, 12] } } }),
      ).toEqual({ _id: 1, n: [1, 6, 9] });
      expect(await applyUpdate({ tags: ['a', 'b', 'a'] }, { $pull: { tags: 'a' } })).toEqual({
        _id: 1,
        tags: ['b'],
      });
    }),
  );
});

describe('upserts from the query', () => {
  it(
    'nested equality conditions build the same document MongoDB builds',
    traced(async () => {
      const collection = database.collection();
      const result = await collection.updateOne(
        {
          'name.first': 'Ada',
          'name.last': { $eq: 'Lovelace' },
          address: { city: 'London' },
          $and: [{ brand: 'WAITROSE' }, { visits: { $gt: 1 } }],
        },
        { $set: { 'name.title': 'Countess' }, $setOnInsert: { visits: 1 } },
        { upsert: true },
      );
      expect(result.upsertedCount).toBe(1);
      const stored = await collection.findOne({ _id: result.upsertedId! });
      expect(stored).toEqual({
        _id: result.upsertedId,
        name: { first: 'Ada', last: 'Lovelace', title: 'Countess' },
        address: { city: 'London' },
        brand: 'WAITROSE',
        visits: 1,
      });
    }),
  );

  it(
    'an upsert may set _id to the value the query gives it',
    traced(async () => {
      const collection = database.collection();
      await collection.updateOne({ _id: 5 }, { $set: { _id: 5, a: 1 } }, { upsert: true });
      expect(await collection.find().toArray()).toEqual([{ _id: 5, a: 1 }]);
    }),
  );
});

describe('update errors', () => {
  async function stored(document: Document) {
    const collection = database.collection();
    await collection.insertOne({ _id: 1, ...document });
    return collection;
  }

  it(
    'two operators on the same path conflict (40)',
    traced(async () => {
      const collection = await stored({ a: 1 });
      await expectWriteError(
        () => collection.updateOne({ _id: 1 }, { $set: { a: 1 }, $inc: { a: 1 } }),
        {
          code: 40,
          errmsg: "Updating the path 'a' would create a conflict at 'a'",
        },
      );
      expect(await collection.findOne({ _id: 1 })).toEqual({ _id: 1, a: 1 });
    }),
  );

  it(
    '$inc on a string is a TypeMismatch (14)',
    traced(async () => {
      const collection = await stored({ a: 'text' });
      await expectWriteError(() => collection.updateOne({ _id: 1 }, { $inc: { a: 1 } }), {
        code: 14,
        errmsg: 'Cannot apply $inc to a value of non-numeric type',
      });
      expect(await collection.findOne({ _id: 1 })).toEqual({ _id: 1, a: 'text' });
    }),
  );

  it(
    'changing _id is an ImmutableField error (66), by $set or by replacement',
    traced(async () => {
      const collection = await stored({ a: 1 });
      await expectWriteError(() => collection.updateOne({ _id: 1 }, { $set: { _id: 2 } }), {
        code: 66,
        errmsg: "Performing an update on the path '_id' would modify the immutable field '_id'",
      });
      await expectWriteError(() => collection.replaceOne({ _id: 1 }, { _id: 2, a: 1 }), {
        code: 66,
        errmsg: "the (immutable) field '_id' was found to have been altered",
      });
      expect(await collection.find().toArray()).toEqual([{ _id: 1, a: 1 }]);
    }),
  );

  it(
    '$set of _id to its current value is allowed; to any other value it is refused (66)',
    traced(async () => {
      const collection = await stored({ a: 1 });
      const same = await collection.updateOne({ _id: 1 }, { $set: { _id: 1, a: 2 } });
      expect(same).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
      await expectWriteError(() => collection.updateOne({ _id: 1 }, { $set: { _id: 3, a: 4 } }), {
        code: 66,
        errmsg: "Performing an update on the path '_id' would modify the immutable field '_id'",
      });
      expect(await collection.find().toArray()).toEqual([{ _id: 1, a: 2 }]);
    }),
  );

  it(
    'a path conflicts with itself and its prefixes, not with siblings (40)',
    traced(async () => {
      const collection = await stored({ a: { b: 1, c: 1 } });
      await expectWriteError(
        () => collection.updateOne({ _id: 1 }, { $set: { a: { b: 2 }, 'a.c': 3 } }),
        { code: 40, errmsg: 'would create a conflict' },
      );
      await collection.updateOne({ _id: 1 }, { $set: { 'a.b': 2 }, $inc: { 'a.c': 1 } });
      expect(await collection.findOne({ _id: 1 })).toEqual({ _id: 1, a: { b: 2, c: 2 } });
    }),
  );

  it(
    '$push onto a field that is not an array is a BadValue (2)',
    traced(async () => {
      const collection = await stored({ a: 1 });
      // Typed loosely: the driver's types rightly refuse to push onto a number.
      const pushOntoNumber: Document = { $push: { a: 2 } };
      await expectWriteError(() => collection.updateOne({ _id: 1 }, pushOntoNumber), {
        code: 2,
        errmsg: "The field 'a' must be an array",
      });
    }),
  );

  it(
    'an array filter identifier with no filter is a BadValue (2)',
    traced(async () => {
      const collection = await stored({ a: [1] });
      await expectWriteError(() => collection.updateOne({ _id: 1 }, { $set: { 'a.$[x]': 2 } }), {
        code: 2,
        errmsg: "No array filter found for identifier 'x'",
      });
    }),
  );

  it(
    'the positional $ without the array in the query is a BadValue (2)',
    traced(async () => {
      const collection = await stored({ a: [1] });
      await expectWriteError(() => collection.updateOne({ _id: 1 }, { $set: { 'a.$': 2 } }), {
        code: 2,
        errmsg: 'The positional operator did not find the match needed from the query',
      });
    }),
  );
});
