import { Decimal128, Double, Int32, Long, ObjectId, type Document } from 'mongodb';

import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('sort');

/** Inserts `values` as `{_id: i, v: values[i]}` (undefined: no `v`) and returns the collection. */
async function withValues(values: unknown[]) {
  const collection = database.collection();
  await collection.insertMany(
    values.map((value, index) => (value === undefined ? { _id: index } : { _id: index, v: value })),
  );
  return collection;
}

async function sortedIds(values: unknown[], sort: Document): Promise<number[]> {
  const collection = await withValues(values);
  const documents = await collection.find().sort(sort).toArray();
  return documents.map((each) => each._id as unknown as number);
}

describe('BSON comparison order', () => {
  const earlier = new ObjectId('000000000000000000000001');
  const later = new ObjectId('000000000000000000000002');
  // index: the position each value must take in ascending order (null and missing tie).
  const values = [
    null, // 0
    undefined, // 1: missing sorts as null
    -3, // 2
    2.5, // 3
    'a', // 4
    'b', // 5
    { x: 1 }, // 6
    earlier, // 7
    later, // 8
    false, // 9
    true, // 10
    new Date('2020-01-01T00:00:00Z'), // 11
    new Date('2024-01-01T00:00:00Z'), // 12
  ];

  it(
    'sorts null/missing < numbers < strings < objects < ObjectId < booleans < dates',
    traced(async () => {
      const ascending = await sortedIds([...values].reverse(), { v: 1, _id: -1 });
      // Reversed on insert, so value i has _id 12 - i; _id: -1 orders the null/missing tie.
      expect(ascending.map((id) => 12 - id)).toEqual(values.map((_value, index) => index));
    }),
  );

  it(
    'descending is the exact reverse',
    traced(async () => {
      const descending = await sortedIds(values, { v: -1, _id: -1 });
      expect(descending).toEqual(values.map((_value, index) => index).reverse());
    }),
  );

  it(
    'compares strings by code point, so capitals and digits come first',
    traced(async () => {
      const strings = ['b', 'B', 'a', 'A', '10', '9', 'ab'];
      const ids = await sortedIds(strings, { v: 1 });
      expect(ids.map((id) => strings[id])).toEqual(['10', '9', 'A', 'B', 'a', 'ab', 'b']);
    }),
  );

  it(
    'compares embedded documents field by field',
    traced(async () => {
      const documents = [{ x: 2 }, { x: 1 }, { w: 5 }, { x: 1, y: 0 }, {}];
      const ids = await sortedIds(documents, { v: 1 });
      expect(ids.map((id) => documents[id])).toEqual([
        {},
        { w: 5 },
        { x: 1 },
        { x: 1, y: 0 },
        { x: 2 },
      ]);
    }),
  );
});

describe('numbers', () => {
  it(
    'orders int, long, double and decimal by value, not by type',
    traced(async () => {
      const numbers = [
        new Int32(3),
        new Double(2.5),
        Long.fromNumber(10),
        new Double(-1),
        new Int32(0),
        Decimal128.fromString('2.75'),
        new Double(1e20),
      ];
      const ascending = await sortedIds(numbers, { v: 1 });
      expect(ascending).toEqual([3, 4, 1, 5, 0, 2, 6]);
    }),
  );
});

describe('arrays', () => {
  const arrays = [[1, 10], [5, 6], [3, 4], 7];

  it(
    'an array field sorts by its smallest element ascending',
    traced(async () => {
      expect(await sortedIds(arrays, { v: 1 })).toEqual([0, 2, 1, 3]);
    }),
  );

  it(
    'an array field sorts by its largest element descending',
    traced(async () => {
      expect(await sortedIds(arrays, { v: -1 })).toEqual([0, 3, 1, 2]);
    }),
  );
});

describe('compound sorts and paging', () => {
  const people = [
    { _id: 1, team: 'b', score: 5 },
    { _id: 2, team: 'a', score: 7 },
    { _id: 3, team: 'b', score: 9 },
    { _id: 4, team: 'a', score: 7 },
    { _id: 5, team: 'a', score: 1 },
    { _id: 6, team: 'c', score: 3 },
  ];

  it(
    'sorts by the first key, then the next',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany(people);
      const sorted = await collection.find().sort({ team: 1, score: -1, _id: 1 }).toArray();
      expect(sorted.map((each) => each._id)).toEqual([2, 4, 5, 3, 1, 6]);
    }),
  );

  it(
    'applies skip and limit after sorting',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany(people);
      const page = await collection.find().sort({ score: 1, _id: 1 }).skip(2).limit(3).toArray();
      expect(page.map((each) => each._id)).toEqual([1, 2, 4]);
    }),
  );

  it(
    'sorts on a nested field',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany([
        { _id: 1, address: { city: 'York' } },
        { _id: 2, address: { city: 'Bath' } },
        { _id: 3, address: { city: 'Leeds' } },
      ]);
      const sorted = await collection.find().sort({ 'address.city': 1 }).toArray();
      expect(sorted.map((each) => each._id)).toEqual([2, 3, 1]);
    }),
  );
});
