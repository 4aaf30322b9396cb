import { type Document } from 'mongodb';

import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('query_operators');

const ORDERS = [
  {
    _id: 1,
    tags: ['gift', 'fragile', 'express'],
    lines: [
      { sku: 'kettle', qty: 1 },
      { sku: 'toaster', qty: 3 },
    ],
    scores: [2, 7, 11],
  },
  {
    _id: 2,
    tags: ['gift'],
    lines: [{ sku: 'kettle', qty: 5 }],
    scores: [1, 30],
  },
  { _id: 3, tags: [], lines: [], scores: [] },
];

async function ids(filter: Document): Promise<unknown[]> {
  const collection = database.collection();
  await collection.insertMany(structuredClone(ORDERS));
  const found = await collection.find(filter).sort({ _id: 1 }).toArray();
  return found.map((order) => order._id);
}

describe('$all', () => {
  it(
    'matches arrays holding every listed scalar',
    traced(async () => {
      expect(await ids({ tags: { $all: ['gift', 'express'] } })).toEqual([1]);
      expect(await ids({ tags: { $all: ['gift'] } })).toEqual([1, 2]);
    }),
  );

  it(
    'matches arrays holding every listed document, field for field',
    traced(async () => {
      expect(await ids({ lines: { $all: [{ sku: 'kettle', qty: 1 }] } })).toEqual([1]);
      expect(await ids({ lines: { $all: [{ sku: 'kettle' }] } })).toEqual([]);
    }),
  );

  it(
    'with $elemMatch elements, needs an element for each',
    traced(async () => {
      expect(
        await ids({
          lines: {
            $all: [{ $elemMatch: { sku: 'kettle' } }, { $elemMatch: { qty: { $gte: 3 } } }],
          },
        }),
      ).toEqual([1, 2]);
      expect(
        await ids({
          lines: {
            $all: [{ $elemMatch: { sku: 'toaster' } }, { $elemMatch: { qty: { $gt: 4 } } }],
          },
        }),
      ).toEqual([]);
    }),
  );
});

describe('$elemMatch on scalar elements', () => {
  it(
    'needs one element meeting every operator at once',
    traced(async () => {
      expect(await ids({ scores: { $elemMatch: { $gt: 5, $lt: 10 } } })).toEqual([1]);
      // Without $elemMatch, different elements may meet each condition.
      expect(await ids({ scores: { $gt: 20, $lt: 2 } })).toEqual([2]);
      expect(await ids({ scores: { $elemMatch: { $gt: 20, $lt: 2 } } })).toEqual([]);
    }),
  );
});

describe('fields named like JavaScript internals', () => {
  // Sent as raw commands so that the driver's own handling of these names plays no part.
  const reservedDocument = (): Document =>
    JSON.parse(
      '{"_id": 1, "__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}},' +
        ' "prototype": "p"}',
    );

  async function storedReserved() {
    const collection = database.collection();
    await database.db.command({
      insert: collection.collectionName,
      documents: [reservedDocument()],
    });
    await collection.insertOne({ _id: 2, plain: true });
    return collection;
  }

  const find = async (name: string, filter: string, projection?: string) => {
    const reply = await database.db.command({
      find: name,
      filter: JSON.parse(filter),
      ...(projection ? { projection: JSON.parse(projection) } : {}),
      sort: { _id: 1 },
    });
    return reply.cursor.firstBatch as Document[];
  };

  it(
    'are stored and returned as ordinary fields',
    traced(async () => {
      const collection = await storedReserved();
      const [stored] = await find(collection.collectionName, '{"_id": 1}');
      expect(Object.keys(stored)).toEqual(['_id', '__proto__', 'constructor', 'prototype']);
      expect(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value).toEqual({ admin: true });
      expect(stored.constructor).toEqual({ prototype: { x: 1 } });
    }),
  );

  it(
    'are queried as ordinary fields, and a document without them does not match',
    traced(async () => {
      const collection = await storedReserved();
      const name = collection.collectionName;
      const idsOf = (documents: Document[]) => documents.map((document) => document._id);
      expect(idsOf(await find(name, '{"__proto__.admin": true}'))).toEqual([1]);
      expect(idsOf(await find(name, '{"constructor.prototype.x": 1}'))).toEqual([1]);
      expect(idsOf(await find(name, '{"constructor": {"$exists": true}}'))).toEqual([1]);
      expect(idsOf(await find(name, '{"prototype": {"$exists": false}}'))).toEqual([2]);
      expect(idsOf(await find(name, '{"__proto__": {"$exists": false}}'))).toEqual([2]);
    }),
  );

  it(
    'are projected as ordinary fields',
    traced(async () => {
      const collection = await storedReserved();
      const [included] = await find(
        collection.collectionName,
        '{"_id": 1}',
        '{"__proto__": 1, "_id": 0}',
      );
      expect(Object.keys(included)).toEqual(['__proto__']);
      const [excluded] = await find(
        collection.collectionName,
        '{"_id": 1}',
        '{"constructor": 0, "__proto__": 0}',
      );
      expect(excluded).toEqual({ _id: 1, prototype: 'p' });
    }),
  );

  it(
    'are updated as ordinary fields, and no other document gains them',
    traced(async () => {
      const collection = await storedReserved();
      const name = collection.collectionName;
      const reply = await database.db.command({
        update: name,
        updates: [
          {
            q: { _id: { $in: [1, 2] } },
            u: JSON.parse(
              '{"$set": {"__proto__.polluted": 1, "constructor.prototype.polluted": 2},' +
                ' "$unset": {"prototype": ""}}',
            ),
            multi: true,
          },
        ],
      });
      expect(reply).toMatchObject({ ok: 1, n: 2, nModified: 2 });
      const [first, second] = await find(name, '{}');
      expect(Object.getOwnPropertyDescriptor(first, '__proto__')?.value).toEqual({
        admin: true,
        polluted: 1,
      });
      expect(first.constructor).toEqual({ prototype: { x: 1, polluted: 2 } });
      expect('prototype' in first).toBe(false);
      expect(Object.getOwnPropertyDescriptor(second, '__proto__')?.value).toEqual({
        polluted: 1,
      });

      const fresh = database.collection();
      await fresh.insertOne({ _id: 1, a: 1 });
      expect(await fresh.find({ polluted: { $exists: true } }).toArray()).toEqual([]);
      expect(await fresh.findOne({ _id: 1 })).toEqual({ _id: 1, a: 1 });
    }),
  );
});
