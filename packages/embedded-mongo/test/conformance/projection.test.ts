import { type Document } from 'mongodb';

import { expectCommandError } from '../support/server-errors';
import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('projection');

const PRODUCT = {
  _id: 1,
  name: 'kettle',
  price: { amount: 30, currency: 'GBP' },
  sizes: ['S', 'M', 'L', 'XL', 'XXL'],
  stock: [
    { store: 'a', qty: 0 },
    { store: 'b', qty: 5 },
    { store: 'c', qty: 7 },
  ],
};

async function project(projection: Document, filter: Document = {}): Promise<Document[]> {
  const collection = database.collection();
  await collection.insertOne(structuredClone(PRODUCT));
  return collection.find(filter, { projection }).toArray();
}

describe('inclusion and exclusion', () => {
  it(
    'an inclusion projection returns the listed fields and _id',
    traced(async () => {
      expect(await project({ name: 1 })).toEqual([{ _id: 1, name: 'kettle' }]);
    }),
  );

  it(
    '_id: 0 removes _id from an inclusion projection',
    traced(async () => {
      expect(await project({ _id: 0, name: 1 })).toEqual([{ name: 'kettle' }]);
    }),
  );

  it(
    'an exclusion projection returns everything else',
    traced(async () => {
      expect(await project({ sizes: 0, stock: 0 })).toEqual([
        { _id: 1, name: 'kettle', price: { amount: 30, currency: 'GBP' } },
      ]);
      const [withoutId] = await project({ _id: 0 });
      const { _id: _removed, ...rest } = PRODUCT;
      expect(withoutId).toEqual(rest);
    }),
  );

  it(
    'a dotted path includes part of an embedded document or of each array element',
    traced(async () => {
      expect(await project({ 'price.amount': 1 })).toEqual([{ _id: 1, price: { amount: 30 } }]);
      expect(await project({ _id: 0, 'stock.qty': 1 })).toEqual([
        { stock: [{ qty: 0 }, { qty: 5 }, { qty: 7 }] },
      ]);
    }),
  );

  it(
    'a dotted path excludes part of an embedded document',
    traced(async () => {
      const [projected] = await project({ 'price.currency': 0, sizes: 0, stock: 0 });
      expect(projected).toEqual({ _id: 1, name: 'kettle', price: { amount: 30 } });
    }),
  );

  it(
    'including a field that no document has returns only _id',
    traced(async () => {
      expect(await project({ nothing: 1 })).toEqual([{ _id: 1 }]);
    }),
  );

  it(
    'mixing inclusion and exclusion is rejected (31254 when inclusion came first)',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ a: 1, b: 2 });
      await expectCommandError(
        () => collection.find({}, { projection: { a: 1, b: 0 } }).toArray(),
        {
          code: 31254,
          codeName: 'Location31254',
          errmsg: 'Cannot do exclusion on field b in inclusion projection',
        },
      );
    }),
  );

  it(
    'mixing exclusion and inclusion is rejected (31253 when exclusion came first)',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ a: 1, b: 2 });
      await expectCommandError(
        () => collection.find({}, { projection: { a: 0, b: 1 } }).toArray(),
        {
          code: 31253,
          codeName: 'Location31253',
          errmsg: 'Cannot do inclusion on field b in exclusion projection',
        },
      );
    }),
  );
});

describe('array projection operators', () => {
  it(
    '$slice: n returns the first n elements and every other field',
    traced(async () => {
      const [projected] = await project({ sizes: { $slice: 2 } });
      expect(projected).toEqual({ ...PRODUCT, sizes: ['S', 'M'] });
    }),
  );

  it(
    '$slice: -n returns the last n elements',
    traced(async () => {
      const [projected] = await project({ sizes: { $slice: -2 } });
      expect(projected.sizes).toEqual(['XL', 'XXL']);
    }),
  );

  it(
    '$slice: [skip, n] returns n elements after skipping',
    traced(async () => {
      const [projected] = await project({ sizes: { $slice: [1, 3] } });
      expect(projected.sizes).toEqual(['M', 'L', 'XL']);
      const [fromEnd] = await project({ sizes: { $slice: [-2, 5] } });
      expect(fromEnd.sizes).toEqual(['XL', 'XXL']);
    }),
  );

  it(
    '$slice alongside an inclusion returns only the included fields',
    traced(async () => {
      expect(await project({ name: 1, sizes: { $slice: 1 } })).toEqual([
        { _id: 1, name: 'kettle', sizes: ['S'] },
      ]);
    }),
  );

  it(
    '$elemMatch returns _id and the first matching element only',
    traced(async () => {
      expect(await project({ stock: { $elemMatch: { qty: { $gt: 0 } } } })).toEqual([
        { _id: 1, stock: [{ store: 'b', qty: 5 }] },
      ]);
    }),
  );

  it(
    '$elemMatch with no matching element leaves the field out',
    traced(async () => {
      expect(await project({ stock: { $elemMatch: { qty: { $gt: 100 } } } })).toEqual([{ _id: 1 }]);
    }),
  );

  it(
    '$elemMatch with operators on scalar elements returns the first element they match',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 1, readings: [3, 12, 18, 25] });
      const projection = { readings: { $elemMatch: { $gt: 10, $lt: 20 } } };
      expect(await collection.find({}, { projection }).toArray()).toEqual([
        { _id: 1, readings: [12] },
      ]);
    }),
  );

  it(
    'the positional $ returns the element the query matched',
    traced(async () => {
      expect(await project({ 'stock.$': 1 }, { 'stock.qty': { $gte: 6 } })).toEqual([
        { _id: 1, stock: [{ store: 'c', qty: 7 }] },
      ]);
    }),
  );
});
