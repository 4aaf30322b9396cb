import { randomBytes } from 'node:crypto';

import {
  type Collection,
  type CommandStartedEvent,
  type Document,
  MongoNetworkError,
  type MongoClient,
} from 'mongodb';

import { expectCommandError } from '../support/server-errors';
import { type TestDocument, useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

// mongod's failCommand fail point, on a deployment started with test commands enabled
// (`--setParameter enableTestCommands=1`; the embedded server's `enableTestCommands`).

const database = useTestDatabase('failcommand');
const FAILED = "Failing command via 'failCommand' failpoint";

/**
 * The fail point is server-wide and other test files run alongside: every test points it at a
 * client of its own (by appName) and turns it off afterwards.
 */
let appName: string;
let target: MongoClient;

const admin = () => database.client.db('admin');
const failCommand = (mode: unknown, data: Document = {}) =>
  admin().command({ configureFailPoint: 'failCommand', mode, data: { appName, ...data } });
const turnOff = () => admin().command({ configureFailPoint: 'failCommand', mode: 'off' });

beforeEach(async () => {
  appName = `failcommand-${randomBytes(4).toString('hex')}`;
  target = await database.connect({ appName });
});

afterEach(async () => {
  await turnOff();
});

/** The target client's view of a fresh collection, holding `documents`. */
async function collectionWith(documents: Document[]) {
  const collection = database.collection();
  if (documents.length > 0) await collection.insertMany(documents);
  return target.db(database.name).collection<TestDocument>(collection.collectionName);
}

/** The names of the commands the target client sends while `body` runs. */
async function commandsDuring(body: () => Promise<unknown>): Promise<string[]> {
  const names: string[] = [];
  const listener = (event: CommandStartedEvent) => names.push(event.commandName);
  target.on('commandStarted', listener);
  try {
    await body();
  } finally {
    target.off('commandStarted', listener);
  }
  return names;
}

/** Inserts `{ _id: 1 }` through `withTransaction` and says how often the callback ran. */
async function insertInTransaction(collection: Collection<TestDocument>): Promise<number> {
  let runs = 0;
  const session = target.startSession();
  try {
    await session.withTransaction(async () => {
      runs += 1;
      await collection.insertOne({ _id: 1 }, { session });
    });
  } finally {
    await session.endSession();
  }
  return runs;
}

describe('configureFailPoint failCommand', () => {
  it(
    'fails the named command {times: n} with the code and labels given, then lets it run',
    traced(async () => {
      const collection = await collectionWith([]);
      const before = await failCommand(
        { times: 2 },
        { failCommands: ['insert'], errorCode: 2, errorLabels: ['TestLabel'] },
      );
      expect(before).toMatchObject({ ok: 1, count: expect.any(Number) });
      for (let attempt = 0; attempt < 2; attempt++) {
        const error = await expectCommandError(() => collection.insertOne({ _id: attempt }), {
          code: 2,
          codeName: 'BadValue',
          errmsg: FAILED,
        });
        expect(error.errorLabels).toEqual(['TestLabel']);
      }
      await collection.insertOne({ _id: 'third' });
      expect(await collection.find().toArray()).toEqual([{ _id: 'third' }]);
      // `count` is how often the point has fired since the server started.
      const after = await turnOff();
      expect(Number(after.count) - Number(before.count)).toBe(2);
    }),
  );

  it(
    'fails only the commands named in failCommands, and only for the client with the appName',
    traced(async () => {
      const collection = await collectionWith([{ _id: 1 }]);
      await failCommand('alwaysOn', { failCommands: ['find'], errorCode: 2 });
      await expectCommandError(() => collection.find().toArray(), {
        code: 2,
        codeName: 'BadValue',
      });
      await expectCommandError(() => collection.findOne({ _id: 1 }), {
        code: 2,
        codeName: 'BadValue',
      });
      expect(await collection.countDocuments()).toBe(1);
      const ownCollection = database.db.collection(collection.collectionName);
      expect(await ownCollection.find().toArray()).toEqual([{ _id: 1 }]);
    }),
  );

  it(
    '{skip: n} lets the first n through and fails every one after',
    traced(async () => {
      const collection = await collectionWith([{ _id: 1 }]);
      await failCommand({ skip: 1 }, { failCommands: ['find'], errorCode: 2 });
      expect(await collection.find().toArray()).toEqual([{ _id: 1 }]);
      for (let attempt = 0; attempt < 2; attempt++) {
        await expectCommandError(() => collection.find().toArray(), {
          code: 2,
          codeName: 'BadValue',
        });
      }
    }),
  );

  it(
    'closeConnection closes the socket without a reply',
    traced(async () => {
      await failCommand({ times: 1 }, { failCommands: ['ping'], closeConnection: true });
      // The driver does not retry a command it runs as given: the closed socket reaches here.
      await expect(target.db('admin').command({ ping: 1 })).rejects.toBeInstanceOf(
        MongoNetworkError,
      );
      expect(await target.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
    }),
  );

  it(
    'an error inside a transaction carries TransientTransactionError when no labels are given',
    traced(async () => {
      const collection = await collectionWith([{ _id: 0 }]);
      await failCommand({ times: 1 }, { failCommands: ['insert'], errorCode: 112 });
      const session = target.startSession();
      try {
        session.startTransaction();
        const error = await expectCommandError(
          () => collection.insertOne({ _id: 1 }, { session }),
          { code: 112, codeName: 'WriteConflict' },
        );
        expect(error.errorLabels).toContain('TransientTransactionError');
        await session.abortTransaction();
      } finally {
        await session.endSession();
      }
      expect(await collection.find().toArray()).toEqual([{ _id: 0 }]);
    }),
  );

  it(
    'a commit failed with TransientTransactionError makes withTransaction run the callback again',
    traced(async () => {
      const collection = await collectionWith([{ _id: 0 }]);
      await failCommand(
        { times: 1 },
        {
          failCommands: ['commitTransaction'],
          errorCode: 112,
          errorLabels: ['TransientTransactionError'],
        },
      );
      expect(await insertInTransaction(collection)).toBe(2);
      expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 0 }, { _id: 1 }]);
    }),
  );

  it(
    'a commit whose connection closes is sent again until it commits, the callback run once',
    traced(async () => {
      const collection = await collectionWith([{ _id: 0 }]);
      // Two closes: the driver's own retry of the commit meets the second, and withTransaction
      // then retries the commit (UnknownTransactionCommitResult).
      await failCommand(
        { times: 2 },
        { failCommands: ['commitTransaction'], closeConnection: true },
      );
      let runs = 0;
      const sent = await commandsDuring(async () => {
        runs = await insertInTransaction(collection);
      });
      expect(runs).toBe(1);
      expect(sent.filter((name) => name === 'commitTransaction')).toHaveLength(3);
      expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 0 }, { _id: 1 }]);
    }),
  );

  it(
    'refuses an unknown fail point or mode, a missing mode, and any database but admin',
    traced(async () => {
      await expectCommandError(
        () => admin().command({ configureFailPoint: 'noSuchFailPoint', mode: 'off' }),
        { code: 266, codeName: 'FailPointSetFailed', errmsg: 'noSuchFailPoint not found' },
      );
      await expectCommandError(() => failCommand('sometimes', { failCommands: ['find'] }), {
        code: 2,
        codeName: 'BadValue',
        errmsg: 'unknown mode: sometimes',
      });
      await expectCommandError(() => failCommand({ times: -1 }, { failCommands: ['find'] }), {
        code: 2,
        codeName: 'BadValue',
      });
      await expectCommandError(() => admin().command({ configureFailPoint: 'failCommand' }), {
        code: 20,
        codeName: 'IllegalOperation',
      });
      await expectCommandError(
        () => database.db.command({ configureFailPoint: 'failCommand', mode: 'off' }),
        { code: 13, codeName: 'Unauthorized' },
      );
    }),
  );
});
