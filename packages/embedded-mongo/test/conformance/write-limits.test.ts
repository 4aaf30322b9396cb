import { MongoBulkWriteError } from 'mongodb';

import { expectWriteError } from '../support/server-errors';
import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('write_limits');

const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
// A string that makes a small document just over the limit.
const OVERSIZED = 'x'.repeat(MAX_BSON_OBJECT_SIZE);

/** Each write error's position and code. */
function failures(error: MongoBulkWriteError): { index: number; code: number }[] {
  return [error.writeErrors].flat().map((each) => ({ index: each.index, code: each.code }));
}

async function bulkError(action: () => Promise<unknown>): Promise<MongoBulkWriteError> {
  const error = await action().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof MongoBulkWriteError)) {
    throw new Error(`expected a bulk write error, got ${String(error)}`);
  }
  return error;
}

describe('documents over 16 MiB', () => {
  it(
    'the handshake advertises the 16 MiB document limit',
    traced(async () => {
      const hello = await database.db.admin().command({ hello: 1 });
      expect(hello.maxBsonObjectSize).toBe(MAX_BSON_OBJECT_SIZE);
    }),
  );

  it(
    'an insert is refused and stores nothing',
    traced(async () => {
      const collection = database.collection();
      await expectWriteError(() => collection.insertOne({ _id: 1, big: OVERSIZED }), {
        code: 2,
        errmsg: 'object to insert too large',
      });
      expect(await collection.countDocuments()).toBe(0);
    }),
  );

  it(
    'an update whose result passes the limit is refused and changes nothing',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 1, a: 1 });
      await expectWriteError(() => collection.updateOne({ _id: 1 }, { $set: { big: OVERSIZED } }), {
        code: 17419,
        errmsg: 'Resulting document after update is larger than 16777216',
      });
      expect(await collection.findOne({ _id: 1 })).toEqual({ _id: 1, a: 1 });
    }),
  );

  it(
    'an upsert that would insert an oversized document is refused',
    traced(async () => {
      const collection = database.collection();
      await expectWriteError(
        () => collection.updateOne({ _id: 1 }, { $set: { big: OVERSIZED } }, { upsert: true }),
        { code: 17420, errmsg: 'Document to upsert is larger than 16777216' },
      );
      expect(await collection.countDocuments()).toBe(0);
    }),
  );
});

describe('unordered writes with duplicate keys', () => {
  it(
    'insertMany inserts every other document and reports each duplicate by index',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ email: 1 }, { unique: true });
      const error = await bulkError(() =>
        collection.insertMany(
          [
            { _id: 1, email: 'a' },
            { _id: 2, email: 'a' },
            { _id: 3, email: 'c' },
            { _id: 1, email: 'd' },
            { _id: 5, email: 'e' },
          ],
          { ordered: false },
        ),
      );
      expect(error.result.insertedCount).toBe(3);
      expect((await collection.find().sort({ _id: 1 }).toArray()).map((each) => each._id)).toEqual([
        1, 3, 5,
      ]);
      expect(failures(error)).toEqual([
        { index: 1, code: 11000 },
        { index: 3, code: 11000 },
      ]);
    }),
  );

  it(
    'each write error carries keyPattern and keyValue',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ email: 1 }, { unique: true });
      await collection.insertOne({ _id: 1, email: 'a' });
      const reply = await database.db.command({
        insert: collection.collectionName,
        documents: [
          { _id: 2, email: 'a' },
          { _id: 3, email: 'b' },
          { _id: 1, email: 'z' },
        ],
        ordered: false,
      });
      expect(reply).toMatchObject({
        ok: 1,
        n: 1,
        writeErrors: [
          { index: 0, code: 11000, keyPattern: { email: 1 }, keyValue: { email: 'a' } },
          { index: 2, code: 11000, keyPattern: { _id: 1 }, keyValue: { _id: 1 } },
        ],
      });
    }),
  );

  it(
    'an unordered bulkWrite of mixed operations runs all it can and reports each failure',
    traced(async () => {
      const collection = database.collection();
      await collection.createIndex({ email: 1 }, { unique: true });
      await collection.insertMany([
        { _id: 1, email: 'a' },
        { _id: 2, email: 'b' },
      ]);
      const error = await bulkError(() =>
        collection.bulkWrite(
          [
            { insertOne: { document: { _id: 3, email: 'a' } } },
            { updateOne: { filter: { _id: 2 }, update: { $set: { email: 'a' } } } },
            { insertOne: { document: { _id: 4, email: 'd' } } },
            { updateOne: { filter: { _id: 1 }, update: { $set: { seen: true } } } },
            { deleteOne: { filter: { _id: 2 } } },
          ],
          { ordered: false },
        ),
      );
      expect(failures(error)).toEqual([
        { index: 0, code: 11000 },
        { index: 1, code: 11000 },
      ]);
      expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1, email: 'a', seen: true },
        { _id: 4, email: 'd' },
      ]);
    }),
  );
});
