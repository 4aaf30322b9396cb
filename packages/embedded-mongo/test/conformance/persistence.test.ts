import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { type MongoClient, type MongoClientOptions } from 'mongodb';

import { startEmbeddedProcess, type EmbeddedProcess } from '../support/embedded-process';
import { expectWriteError } from '../support/server-errors';
import { connectClient, type TestDocument } from '../support/test-database';
import { traced } from '../support/transcript';

// Durability of the embedded server's own data directory: these tests always spawn the embedded
// server as a child process, whatever database the rest of the suite runs against.

/** Two server starts under ts-node, plus the writes, on a slow machine. */
const PERSISTENCE_TEST_TIMEOUT_MS = 240_000;
const DATABASE = 'persistence';
/** The journal's file in a data directory. */
const JOURNAL = 'journal.bson';
/** Compaction runs on the server's one-second housekeeping tick; allow a slow machine. */
const COMPACTION_WAIT_MS = 30_000;

const running = new Set<EmbeddedProcess>();
const clients = new Set<MongoClient>();
const dataDirs: string[] = [];

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'embedded-mongo-persistence-'));
  dataDirs.push(dir);
  return dir;
}

async function start(
  dataDir: string,
  options: MongoClientOptions = {},
): Promise<{ server: EmbeddedProcess; client: MongoClient }> {
  const server = await startEmbeddedProcess(dataDir);
  running.add(server);
  const client = await connectClient(server.uri, { serverSelectionTimeoutMS: 15_000, ...options });
  clients.add(client);
  return { server, client };
}

async function stop(
  { server, client }: { server: EmbeddedProcess; client: MongoClient },
  signal: 'SIGTERM' | 'SIGKILL',
) {
  // On SIGKILL the server goes first: closing the client first would give it time to flush.
  if (signal === 'SIGTERM') {
    await client.close();
    clients.delete(client);
  }
  const exit = await server.stop(signal);
  running.delete(server);
  if (signal === 'SIGKILL') {
    await client.close();
    clients.delete(client);
  }
  return exit;
}

afterAll(async () => {
  await Promise.all([...clients].map((client) => client.close()));
  await Promise.all([...running].map((server) => server.stop('SIGKILL')));
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
}, 60_000);

describe('embedded server persistence', () => {
  it(
    'after a graceful stop (SIGTERM) and restart, every acknowledged write is back',
    traced(async () => {
      const dataDir = await freshDataDir();
      const first = await start(dataDir);
      const db = first.client.db(DATABASE);
      const people = db.collection<TestDocument>('people');
      await people.insertMany([
        { _id: 1, name: 'Ada', email: 'ada@example.com', visits: 0 },
        { _id: 2, name: 'Grace', email: 'grace@example.com', visits: 0 },
        { _id: 3, name: 'Edsger', email: 'edsger@example.com', visits: 0 },
      ]);
      await people.updateOne({ _id: 1 }, { $inc: { visits: 5 }, $set: { vip: true } });
      await people.deleteOne({ _id: 3 });
      await people.createIndex({ email: 1 }, { unique: true });
      const session = first.client.startSession();
      try {
        await session.withTransaction(async () => {
          await people.insertOne(
            { _id: 4, name: 'Barbara', email: 'b@example.com' },
            {
              session,
            },
          );
          await people.updateOne({ _id: 2 }, { $set: { name: 'Grace H.' } }, { session });
        });
        session.startTransaction();
        await people.insertOne({ _id: 5, name: 'aborted' }, { session });
        await session.abortTransaction();
      } finally {
        await session.endSession();
      }
      await first.client.db(`${DATABASE}_other`).collection('things').insertOne({ kept: true });

      expect(await stop(first, 'SIGTERM')).toEqual({ code: 0, signal: null });

      const second = await start(dataDir);
      const again = second.client.db(DATABASE).collection<TestDocument>('people');
      expect(await again.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1, name: 'Ada', email: 'ada@example.com', visits: 5, vip: true },
        { _id: 2, name: 'Grace H.', email: 'grace@example.com', visits: 0 },
        { _id: 4, name: 'Barbara', email: 'b@example.com' },
      ]);
      const indexes = await again.listIndexes().toArray();
      expect(indexes.map((index) => [index.name, index.unique ?? false])).toEqual([
        ['_id_', false],
        ['email_1', true],
      ]);
      await expectWriteError(() => again.insertOne({ email: 'ada@example.com' }), {
        code: 11000,
        errmsg: 'index: email_1 dup key:',
      });
      expect(
        await second.client.db(`${DATABASE}_other`).collection('things').countDocuments(),
      ).toBe(1);
      await stop(second, 'SIGTERM');
    }),
    PERSISTENCE_TEST_TIMEOUT_MS,
  );

  it(
    'after kill -9 right after the last acknowledgement, every acknowledged write is back',
    traced(async () => {
      const dataDir = await freshDataDir();
      const first = await start(dataDir);
      const items = first.client.db(DATABASE).collection<TestDocument>('items');
      await items.createIndex({ sku: 1 }, { unique: true });
      for (let index = 0; index < 50; index += 1) {
        await items.insertOne({ _id: index, sku: `sku-${index}`, stock: index });
      }
      await items.updateMany({ stock: { $lt: 10 } }, { $set: { low: true } });
      await items.deleteMany({ stock: { $gte: 40 } });
      const session = first.client.startSession();
      try {
        await session.withTransaction(async () => {
          await items.updateOne({ _id: 20 }, { $set: { reserved: true } }, { session });
          await items.insertOne({ _id: 100, sku: 'sku-100', stock: 1 }, { session });
        });
      } finally {
        await session.endSession();
      }
      await items.updateOne({ _id: 0 }, { $set: { last: true } });

      await stop(first, 'SIGKILL');

      const second = await start(dataDir);
      const again = second.client.db(DATABASE).collection<TestDocument>('items');
      const documents = await again.find().sort({ _id: 1 }).toArray();
      expect(documents.map((each) => each._id)).toEqual([
        ...Array.from({ length: 40 }, (_unused, index) => index),
        100,
      ]);
      expect(documents.filter((each) => each.low).map((each) => each._id)).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
      ]);
      expect(await again.findOne({ _id: 20 })).toMatchObject({ reserved: true });
      expect(await again.findOne({ _id: 0 })).toMatchObject({ last: true, low: true });
      await expectWriteError(() => again.insertOne({ sku: 'sku-5' }), { code: 11000 });
      await stop(second, 'SIGTERM');
    }),
    PERSISTENCE_TEST_TIMEOUT_MS,
  );

  it(
    'after kill -9 in the middle of concurrent writes, every acknowledged one is back',
    traced(async () => {
      const dataDir = await freshDataDir();
      // Once the server is gone, writes should fail at once rather than retry and wait for it.
      const first = await start(dataDir, { retryWrites: false, serverSelectionTimeoutMS: 2_000 });
      const events = first.client.db(DATABASE).collection<TestDocument>('events');
      const acknowledged: number[] = [];
      let next = 0;
      let writing = 0;
      const writer = async () => {
        writing += 1;
        try {
          for (;;) {
            const id = next;
            next += 1;
            await events.insertOne({ _id: id, at: new Date() });
            // A reply can only have come from the server before it died: it counts.
            acknowledged.push(id);
          }
        } catch {
          // The server was killed under this write; whether it landed is unknown.
        } finally {
          writing -= 1;
        }
      };
      const writers = Array.from({ length: 4 }, writer);
      while (acknowledged.length < 200 && writing > 0) await sleep(5);
      expect(acknowledged.length).toBeGreaterThanOrEqual(200);
      await first.server.stop('SIGKILL');
      running.delete(first.server);
      await Promise.all(writers);
      await first.client.close();
      clients.delete(first.client);

      const second = await start(dataDir);
      const stored = await second.client
        .db(DATABASE)
        .collection<TestDocument>('events')
        .find({}, { projection: { _id: 1 } })
        .toArray();
      const storedIds = new Set(stored.map((each) => each._id as unknown as number));
      expect(acknowledged.filter((id) => !storedIds.has(id))).toEqual([]);
      await stop(second, 'SIGTERM');
    }),
    PERSISTENCE_TEST_TIMEOUT_MS,
  );

  it(
    'a second server on the same data directory is refused before it touches the journal',
    traced(async () => {
      const dataDir = await freshDataDir();
      const first = await start(dataDir);
      const people = first.client.db(DATABASE).collection<TestDocument>('people');
      await people.insertOne({ _id: 1 });

      await expect(startEmbeddedProcess(dataDir)).rejects.toThrow(
        `in use by process ${first.server.child.pid}`,
      );
      // The first server still writes to the journal a restart reads.
      await people.insertOne({ _id: 2 });
      await stop(first, 'SIGKILL');

      const second = await start(dataDir);
      const again = second.client.db(DATABASE).collection<TestDocument>('people');
      expect(await again.find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 1 }, { _id: 2 }]);
      await stop(second, 'SIGTERM');
    }),
    PERSISTENCE_TEST_TIMEOUT_MS,
  );

  it(
    'compacts an outgrown journal while running, and a kill -9 afterwards still loses nothing',
    traced(async () => {
      const dataDir = await freshDataDir();
      const journalBytes = async () => (await stat(path.join(dataDir, JOURNAL))).size;
      const first = await start(dataDir);
      const profiles = first.client.db(DATABASE).collection<TestDocument>('profiles');
      // Every update journals the whole 16 KiB document: 280 of them are about 4.6 MB of log
      // for one live document, past the 4 MiB at which the server rewrites its journal. Whenever
      // that happens, at most the last 26 updates (well under 1 MiB) follow it.
      await profiles.insertOne({ _id: 1, revision: 0, notes: 'x'.repeat(16 * 1024) });
      await profiles.insertOne({ _id: 2, revision: 0 });
      for (let revision = 1; revision <= 280; revision += 1) {
        await profiles.updateOne({ _id: 1 }, { $set: { revision } });
      }
      const deadline = Date.now() + COMPACTION_WAIT_MS;
      while ((await journalBytes()) > 1024 * 1024) {
        if (Date.now() > deadline) {
          throw new Error(
            `journal still ${await journalBytes()} bytes after ${COMPACTION_WAIT_MS} ms`,
          );
        }
        await sleep(200);
      }
      await profiles.updateOne({ _id: 2 }, { $set: { revision: 1 } });

      await stop(first, 'SIGKILL');

      const second = await start(dataDir);
      const again = second.client.db(DATABASE).collection<TestDocument>('profiles');
      expect(
        await again
          .find({}, { projection: { notes: 0 } })
          .sort({ _id: 1 })
          .toArray(),
      ).toEqual([
        { _id: 1, revision: 280 },
        { _id: 2, revision: 1 },
      ]);
      expect((await again.findOne({ _id: 1 }))?.notes).toHaveLength(16 * 1024);
      await stop(second, 'SIGTERM');
    }),
    PERSISTENCE_TEST_TIMEOUT_MS,
  );
});
