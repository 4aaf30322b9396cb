import { type CollationOptions } from 'mongodb';

import { expectCommandError, expectWriteError } from '../support/server-errors';
import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('collation');

const CASE_INSENSITIVE = { locale: 'en', strength: 2 };
const ACCENT_INSENSITIVE = { locale: 'fr', strength: 1 };

const NAMES = [
  { _id: 1, name: 'Ada' },
  { _id: 2, name: 'ada' },
  { _id: 3, name: 'ADA' },
  { _id: 4, name: 'Adà' },
  { _id: 5, name: 'bob' },
  { _id: 6, name: 'Bob' },
];

async function names() {
  const collection = database.collection();
  await collection.insertMany(structuredClone(NAMES));
  return collection;
}

const idsOf = (documents: { _id?: unknown }[]) => documents.map((document) => document._id);

describe('collation on queries', () => {
  it(
    'find matches strings the collation holds equal: case at strength 2, accents too at 1',
    traced(async () => {
      const collection = await names();
      const byName = (collation: CollationOptions) =>
        collection.find({ name: 'ada' }, { collation }).sort({ _id: 1 }).toArray();
      expect(idsOf(await byName(CASE_INSENSITIVE))).toEqual([1, 2, 3]);
      expect(idsOf(await byName(ACCENT_INSENSITIVE))).toEqual([1, 2, 3, 4]);
      expect(idsOf(await collection.find({ name: 'ada' }).toArray())).toEqual([2]);
      const inList = await collection
        .find({ name: { $in: ['BOB', 'x'] } }, { collation: CASE_INSENSITIVE })
        .sort({ _id: 1 })
        .toArray();
      expect(idsOf(inList)).toEqual([5, 6]);
    }),
  );

  it(
    'sorts by the collation rather than by code points',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany([
        { _id: 1, name: 'b' },
        { _id: 2, name: 'C' },
        { _id: 3, name: 'a' },
      ]);
      const sorted = await collection
        .find({}, { collation: CASE_INSENSITIVE })
        .sort({ name: 1 })
        .toArray();
      expect(idsOf(sorted)).toEqual([3, 1, 2]);
      expect(idsOf(await collection.find().sort({ name: 1 }).toArray())).toEqual([2, 3, 1]);
    }),
  );

  it(
    'count and distinct follow the collation',
    traced(async () => {
      const collection = await names();
      expect(
        await collection.countDocuments({ name: 'BOB' }, { collation: CASE_INSENSITIVE }),
      ).toBe(2);
      const distinct = await collection.distinct('name', {}, { collation: ACCENT_INSENSITIVE });
      expect(distinct).toHaveLength(2);
    }),
  );

  it(
    'aggregate applies the collation to its $match and $sort',
    traced(async () => {
      const collection = await names();
      const results = await collection
        .aggregate(
          [{ $match: { name: 'ADA' } }, { $sort: { _id: -1 } }, { $project: { _id: 1 } }],
          { collation: CASE_INSENSITIVE },
        )
        .toArray();
      expect(idsOf(results)).toEqual([3, 2, 1]);
    }),
  );

  it(
    'update and delete select documents by the collation',
    traced(async () => {
      const collection = await names();
      const updated = await collection.updateMany(
        { name: 'BOB' },
        { $set: { seen: true } },
        { collation: CASE_INSENSITIVE },
      );
      expect(updated.modifiedCount).toBe(2);
      const deleted = await collection.deleteMany(
        { name: 'ada' },
        { collation: ACCENT_INSENSITIVE },
      );
      expect(deleted.deletedCount).toBe(4);
      expect(idsOf(await collection.find().sort({ _id: 1 }).toArray())).toEqual([5, 6]);
    }),
  );

  it(
    'refuses an unknown locale (2)',
    traced(async () => {
      const collection = await names();
      await expectCommandError(
        () => collection.find({}, { collation: { locale: 'xx-nowhere-zz' } }).toArray(),
        { code: 2, codeName: 'BadValue' },
      );
    }),
  );
});

describe('collation on indexes', () => {
  it(
    'a unique index with a collation refuses values it holds equal',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ email: 1 }, { unique: true, collation: CASE_INSENSITIVE });
      await collection.insertOne({ email: 'Ada@Example.com' });
      await expectWriteError(() => collection.insertOne({ email: 'ada@example.com' }), {
        code: 11000,
      });
      // Accents still differ at strength 2.
      await collection.insertOne({ email: 'adà@example.com' });
      const listed = await collection.listIndexes().toArray();
      expect(listed.find((index) => index.name === 'email_1')?.collation).toMatchObject(
        CASE_INSENSITIVE,
      );
    }),
  );

  it(
    'a query with the same collation uses the index; one without it does not match case-blind',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ email: 1 }, { collation: CASE_INSENSITIVE });
      await collection.insertMany(
        Array.from({ length: 10 }, (_, i) => ({ _id: i, email: `Person${i}@example.com` })),
      );
      const explained = await collection
        .find({ email: 'person3@EXAMPLE.com' }, { collation: CASE_INSENSITIVE })
        .explain('executionStats');
      expect(explained.executionStats).toMatchObject({ nReturned: 1, totalDocsExamined: 1 });
      expect(JSON.stringify(explained.queryPlanner.winningPlan)).toContain('email_1');
      expect(await collection.countDocuments({ email: 'person3@EXAMPLE.com' })).toBe(0);
    }),
  );
});
