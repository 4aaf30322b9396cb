import { expectCommandError, expectWriteError } from '../support/server-errors';
import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('errors');

describe('command errors', () => {
  it(
    'an unknown command is CommandNotFound (59) and names the command',
    traced(async () => {
      const error = await expectCommandError(() => database.db.command({ frobnicate: 1 }), {
        code: 59,
        codeName: 'CommandNotFound',
        errmsg: "no such command: 'frobnicate'",
      });
      expect(error.errorResponse).toMatchObject({
        ok: 0,
        code: 59,
        codeName: 'CommandNotFound',
        errmsg: expect.stringContaining('frobnicate'),
      });
    }),
  );

  it(
    'an unknown query operator is BadValue (2)',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ a: 1 });
      await expectCommandError(() => collection.find({ a: { $foo: 1 } }).toArray(), {
        code: 2,
        codeName: 'BadValue',
        errmsg: 'unknown operator: $foo',
      });
      await expectCommandError(() => collection.find({ $foo: 1 }).toArray(), {
        code: 2,
        codeName: 'BadValue',
        errmsg: 'unknown top level operator: $foo',
      });
    }),
  );

  it(
    'an unknown update operator is FailedToParse (9), reported as a write error',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ _id: 1, a: 1 });
      const reply = await database.db.command({
        update: collection.collectionName,
        updates: [{ q: { _id: 1 }, u: { $foo: { a: 2 } } }],
      });
      expect(reply).toMatchObject({
        ok: 1,
        n: 0,
        nModified: 0,
        writeErrors: [
          { index: 0, code: 9, errmsg: expect.stringContaining('Unknown modifier: $foo') },
        ],
      });
      await expectWriteError(() => collection.updateOne({ _id: 1 }, { $foo: { a: 2 } }), {
        code: 9,
        errmsg: 'Unknown modifier: $foo',
      });
      expect(await collection.findOne({ _id: 1 })).toEqual({ _id: 1, a: 1 });
    }),
  );

  it(
    'an unknown pipeline stage is rejected (40324)',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ a: 1 });
      await expectCommandError(() => collection.aggregate([{ $frobnicate: {} }]).toArray(), {
        code: 40324,
        codeName: 'Location40324',
        errmsg: "Unrecognized pipeline stage name: '$frobnicate'",
      });
    }),
  );

  it(
    'an unknown expression operator is InvalidPipelineOperator (168)',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ a: 1 });
      await expectCommandError(
        () => collection.aggregate([{ $project: { b: { $frobnicate: '$a' } } }]).toArray(),
        {
          code: 168,
          codeName: 'InvalidPipelineOperator',
          errmsg: "Unrecognized expression '$frobnicate'",
        },
      );
    }),
  );

  it(
    'a command error does not disturb the connection: the next command succeeds',
    traced(async () => {
      const collection = database.collection();
      await collection.insertOne({ a: 1 });
      await expectCommandError(() => database.db.command({ frobnicate: 1 }), {
        code: 59,
        codeName: 'CommandNotFound',
      });
      expect(await collection.countDocuments()).toBe(1);
    }),
  );
});

describe('write errors', () => {
  it(
    'a write error is reported per statement in an ok: 1 reply',
    traced(async () => {
      const collection = database.collection();
      const reply = await database.db.command({
        insert: collection.collectionName,
        documents: [{ _id: 1 }, { _id: 1 }, { _id: 2 }],
        ordered: false,
      });
      expect(reply).toMatchObject({
        ok: 1,
        n: 2,
        writeErrors: [
          {
            index: 1,
            code: 11000,
            errmsg: expect.stringContaining('E11000 duplicate key error'),
            keyPattern: { _id: 1 },
            keyValue: { _id: 1 },
          },
        ],
      });
      expect(reply.writeErrors).toHaveLength(1);
      expect(await collection.countDocuments()).toBe(2);
    }),
  );
});
