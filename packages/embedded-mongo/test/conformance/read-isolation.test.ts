import { BSON, type Collection, type Document } from 'mongodb';

import { expectWriteError } from '../support/server-errors';
import { type TestDocument, useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

// Reads never change what is stored: whatever a projection or pipeline does to the documents it
// returns, the stored documents, their indexes and open snapshots stay as they were.

const database = useTestDatabase('read_isolation');

function customer(id: number): TestDocument {
  return {
    _id: id,
    email: `c${id}@example.com`,
    profile: { name: `Customer ${id}`, dob: '1990-01-0' + String(id), address: { city: 'Leeds' } },
    tags: [{ label: 'vip', since: 2020 }],
    visits: 0,
  };
}

/** Every read path that hands documents to a projection or a pipeline. */
const READS: [string, (collection: Collection<TestDocument>) => Promise<unknown>][] = [
  [
    'find with a nested exclusion projection',
    (c) => c.find({}, { projection: { 'profile.dob': 0, 'profile.address.city': 0 } }).toArray(),
  ],
  [
    'find with a nested inclusion projection',
    (c) => c.find({}, { projection: { 'profile.name': 1, 'tags.label': 1 } }).toArray(),
  ],
  [
    'findOneAndUpdate with nested exclusion fields (the before image)',
    (c) =>
      c.findOneAndUpdate(
        { _id: 1 },
        { $set: { seen: true } },
        {
          projection: { 'profile.dob': 0 },
        },
      ),
  ],
  [
    'findOneAndUpdate with nested exclusion fields (the after image)',
    (c) =>
      c.findOneAndUpdate(
        { _id: 2 },
        { $set: { seen: true } },
        {
          projection: { 'profile.dob': 0 },
          returnDocument: 'after',
        },
      ),
  ],
  [
    'aggregate with nested $set, $unset and $addFields',
    (c) =>
      c
        .aggregate([
          { $set: { 'profile.name': 'changed' } },
          { $unset: 'profile.dob' },
          { $addFields: { 'profile.address.city': 'York', 'tags.label': 'none' } },
        ])
        .toArray(),
  ],
  [
    "aggregate with a nested $set on $lookup's joined side",
    (c) =>
      c
        .aggregate([
          { $match: { _id: 1 } },
          {
            $lookup: {
              from: c.collectionName,
              localField: 'email',
              foreignField: 'email',
              as: 'same',
            },
          },
          { $unwind: '$same' },
          { $set: { 'same.profile.name': 'changed' } },
          { $unset: 'same.profile.dob' },
        ])
        .toArray(),
  ],
  [
    "aggregate with a nested $set inside $lookup's pipeline",
    (c) =>
      c
        .aggregate([
          { $match: { _id: 1 } },
          {
            $lookup: {
              from: c.collectionName,
              pipeline: [{ $set: { 'profile.name': 'changed' } }, { $unset: 'profile.dob' }],
              as: 'all',
            },
          },
        ])
        .toArray(),
  ],
];

async function seeded(): Promise<{ collection: Collection<TestDocument>; stored: Buffer[] }> {
  const collection = database.collection();
  await collection.createIndex({ 'profile.dob': 1 }, { unique: true });
  await collection.createIndex({ 'profile.address.city': 1 });
  await collection.insertMany([customer(1), customer(2), customer(3)]);
  return { collection, stored: await storedBytes(collection) };
}

async function storedBytes(collection: Collection<TestDocument>): Promise<Buffer[]> {
  const documents = await collection
    .find({}, { projection: { seen: 0 } })
    .sort({ _id: 1 })
    .toArray();
  return documents.map((document) => Buffer.from(BSON.serialize(document as Document)));
}

describe('reads leave stored documents unchanged', () => {
  it.each(READS)('%s', async (_name, read) =>
    traced(async () => {
      const { collection, stored } = await seeded();
      await read(collection);
      // An unrelated write to each document would store whatever the read left behind.
      await collection.updateMany({}, { $inc: { visits: 1 } });
      await collection.updateMany({}, { $inc: { visits: -1 } });
      expect(await storedBytes(collection)).toEqual(stored);
      // The indexes still hold the stored values.
      expect(await collection.countDocuments({ 'profile.dob': '1990-01-01' })).toBe(1);
      expect(await collection.countDocuments({ 'profile.address.city': 'Leeds' })).toBe(3);
      await expectWriteError(
        () => collection.insertOne({ _id: 9, profile: { dob: '1990-01-02' } }),
        { code: 11000 },
      );
    })(),
  );

  it(
    'a transaction that read a document before the read still sees it whole',
    traced(async () => {
      const { collection } = await seeded();
      const session = database.client.startSession();
      try {
        session.startTransaction();
        const before = await collection.findOne({ _id: 1 }, { session });
        for (const [, read] of READS) await read(collection);
        expect(await collection.findOne({ _id: 1 }, { session })).toEqual(before);
        await session.abortTransaction();
      } finally {
        await session.endSession();
      }
    }),
  );
});
