import { spawnSync } from 'node:child_process';
import { fdatasyncSync, ftruncateSync, writeSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { MongoClient, MongoServerError } from 'mongodb';

import { startEmbeddedServer, type EmbeddedServer, type JournalFileSystem } from '../../src';

// The data directory of the embedded server: its lock, its journal's writes on a failing disk,
// and start-up over a damaged journal. Servers run in this process and restart on the same
// directory; a file-system shim stands in for a full or failing disk.

const JOURNAL = 'journal.bson';
const LOCK = 'mongod.lock';

interface Running {
  server: EmbeddedServer;
  client: MongoClient;
}

const running = new Set<Running>();
const dataDirs: string[] = [];

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'embedded-mongo-journal-'));
  dataDirs.push(dir);
  return dir;
}

async function start(dataDir: string, journalFileSystem?: JournalFileSystem): Promise<Running> {
  const server = await startEmbeddedServer({ dataDir, journalFileSystem });
  // Retries would repeat a write the shim failed on purpose.
  const client = await new MongoClient(server.uri, { retryWrites: false }).connect();
  const handle = { server, client };
  running.add(handle);
  return handle;
}

async function stop(handle: Running): Promise<void> {
  running.delete(handle);
  await handle.client.close();
  await handle.server.close();
}

afterAll(async () => {
  for (const handle of running) await stop(handle);
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

interface Person {
  _id: number;
  name?: string;
  notes?: string;
  profile?: { name: string; dob: string };
  n?: number;
  x?: number;
  visits?: number;
}

function people(handle: Running) {
  return handle.client.db('journal').collection<Person>('people');
}

async function storedIds(dataDir: string): Promise<number[]> {
  const handle = await start(dataDir);
  try {
    return (await people(handle).find().sort({ _id: 1 }).toArray()).map((each) => each._id);
  } finally {
    await stop(handle);
  }
}

function errnoError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

/** The real file system, with a budget of bytes the disk can still take and switchable faults. */
class FaultyDisk implements JournalFileSystem {
  room = Number.POSITIVE_INFINITY;
  /** At most this many bytes per write call, as a nearly full disk may take. */
  maxWrite = Number.POSITIVE_INFINITY;
  failTruncate = false;
  failNextSync = false;

  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number {
    if (this.room <= 0) throw errnoError('ENOSPC');
    const taken = Math.min(length, this.room, this.maxWrite);
    const written = writeSync(fd, buffer, offset, taken);
    this.room -= written;
    return written;
  }

  fdatasyncSync(fd: number): void {
    if (this.failNextSync) {
      this.failNextSync = false;
      throw errnoError('EIO');
    }
    fdatasyncSync(fd);
  }

  ftruncateSync(fd: number, length: number): void {
    if (this.failTruncate) throw errnoError('EIO');
    ftruncateSync(fd, length);
  }
}

async function serverError(action: () => Promise<unknown>): Promise<MongoServerError> {
  const error = await action().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof MongoServerError)) throw new Error(`expected a server error: ${error}`);
  return error;
}

describe('the data directory lock', () => {
  it('refuses a second server on the same directory, naming the holder, before touching it', async () => {
    const dataDir = await freshDataDir();
    const first = await start(dataDir);
    await people(first).insertOne({ _id: 1 });
    const journal = await readFile(path.join(dataDir, JOURNAL));

    await expect(startEmbeddedServer({ dataDir })).rejects.toThrow(
      `in use by this process (${process.pid})`,
    );
    expect(await readFile(path.join(dataDir, JOURNAL))).toEqual(journal);

    await people(first).insertOne({ _id: 2 });
    await stop(first);
    expect(await storedIds(dataDir)).toEqual([1, 2]);
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dataDir = await freshDataDir();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(path.join(dataDir, LOCK), `${gone}\n`);
    const handle = await start(dataDir);
    await people(handle).insertOne({ _id: 1 });
    await stop(handle);
    expect(await storedIds(dataDir)).toEqual([1]);
  });
});

describe('journal writes on a full or failing disk', () => {
  it('writes every byte of a record even when the disk takes a few at a time', async () => {
    const dataDir = await freshDataDir();
    const disk = new FaultyDisk();
    disk.maxWrite = 7;
    const handle = await start(dataDir, disk);
    await people(handle).insertMany([{ _id: 1 }, { _id: 2, notes: 'x'.repeat(1000) }]);
    await people(handle).insertOne({ _id: 3 });
    await stop(handle);
    expect(await storedIds(dataDir)).toEqual([1, 2, 3]);
  });

  it('fails a write the disk cannot take, keeps the journal whole, and writes again once it can', async () => {
    const dataDir = await freshDataDir();
    const disk = new FaultyDisk();
    const handle = await start(dataDir, disk);
    await people(handle).insertOne({ _id: 1 });
    disk.room = 10;
    const error = await serverError(() => people(handle).insertOne({ _id: 2 }));
    expect(error.code).toBe(14031);
    expect(await people(handle).countDocuments({ _id: 2 })).toBe(0);
    disk.room = Number.POSITIVE_INFINITY;
    await people(handle).insertOne({ _id: 3 });
    await stop(handle);
    expect(await storedIds(dataDir)).toEqual([1, 3]);
  });

  it('refuses every later write when a failed write cannot be cut off', async () => {
    const dataDir = await freshDataDir();
    const disk = new FaultyDisk();
    const handle = await start(dataDir, disk);
    await people(handle).insertOne({ _id: 1 });
    disk.room = 10;
    disk.failTruncate = true;
    await serverError(() => people(handle).insertOne({ _id: 2 }));
    disk.room = Number.POSITIVE_INFINITY;
    const refused = await serverError(() => people(handle).insertOne({ _id: 3 }));
    expect(refused.message).toContain('refuses every further write');
    expect(await people(handle).find().toArray()).toEqual([{ _id: 1 }]);
    await stop(handle);
    // The partial record is a torn tail: cut off on start-up.
    expect(await storedIds(dataDir)).toEqual([1]);
  });

  it('a commit whose journal write fails aborts the transaction and releases its locks', async () => {
    const dataDir = await freshDataDir();
    const disk = new FaultyDisk();
    const handle = await start(dataDir, disk);
    await people(handle).insertOne({ _id: 1, n: 0 });
    const session = handle.client.startSession();
    try {
      session.startTransaction();
      await people(handle).updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session });
      disk.failNextSync = true;
      await serverError(() => session.commitTransaction());
    } finally {
      await session.endSession();
    }
    // The document is free again: an ordinary write to it does not wait.
    await people(handle).updateOne({ _id: 1 }, { $set: { x: 1 } }, { maxTimeMS: 10_000 });
    expect(await people(handle).findOne({ _id: 1 })).toEqual({ _id: 1, n: 0, x: 1 });
    await stop(handle);
    const again = await start(dataDir);
    expect(await people(again).findOne({ _id: 1 })).toEqual({ _id: 1, n: 0, x: 1 });
    await stop(again);
  });
});

describe('start-up over a damaged journal', () => {
  async function journalOfThreeInserts(): Promise<{ dataDir: string; bytes: Buffer }> {
    const dataDir = await freshDataDir();
    const handle = await start(dataDir);
    for (const _id of [1, 2, 3]) await people(handle).insertOne({ _id, name: `person ${_id}` });
    await stop(handle);
    return { dataDir, bytes: await readFile(path.join(dataDir, JOURNAL)) };
  }

  it('refuses to start on a flipped byte in an early record, naming it and keeping the file', async () => {
    const { dataDir, bytes } = await journalOfThreeInserts();
    const damaged = Buffer.from(bytes);
    damaged[12] ^= 0xff;
    await writeFile(path.join(dataDir, JOURNAL), damaged);

    await expect(startEmbeddedServer({ dataDir })).rejects.toThrow(/record 1 \(at byte 0 of/);
    expect(await readFile(path.join(dataDir, JOURNAL))).toEqual(damaged);

    // Nothing was left locked: with the byte restored the server starts with every write.
    await writeFile(path.join(dataDir, JOURNAL), bytes);
    expect(await storedIds(dataDir)).toEqual([1, 2, 3]);
  });

  it('cuts off a zero-filled tail', async () => {
    const { dataDir, bytes } = await journalOfThreeInserts();
    await writeFile(path.join(dataDir, JOURNAL), Buffer.concat([bytes, Buffer.alloc(4096)]));
    expect(await storedIds(dataDir)).toEqual([1, 2, 3]);
    // Start-up compaction rewrote the journal from what it read: no zeros were kept.
    expect((await stat(path.join(dataDir, JOURNAL))).size).toBeLessThanOrEqual(bytes.length);
  });

  it('cuts off a torn last record, and only that', async () => {
    const { dataDir, bytes } = await journalOfThreeInserts();
    await writeFile(path.join(dataDir, JOURNAL), bytes.subarray(0, bytes.length - 3));
    expect(await storedIds(dataDir)).toEqual([1, 2]);
  });
});

describe('catalog changes in transactions', () => {
  it('a collection and index created in a committed transaction survive a restart', async () => {
    const dataDir = await freshDataDir();
    const handle = await start(dataDir);
    const session = handle.client.startSession();
    try {
      await session.withTransaction(async () => {
        await people(handle).createIndex({ name: 1 }, { unique: true, session });
        await people(handle).insertOne({ _id: 1, name: 'Ada' }, { session });
      });
    } finally {
      await session.endSession();
    }
    await stop(handle);
    const again = await start(dataDir);
    expect(await people(again).find().toArray()).toEqual([{ _id: 1, name: 'Ada' }]);
    expect((await people(again).listIndexes().toArray()).map((index) => index.name)).toEqual([
      '_id_',
      'name_1',
    ]);
    await stop(again);
  });
});

describe('reads never reach the journal', () => {
  it('a nested exclusion projection, then an unrelated $inc, loses nothing across a restart', async () => {
    const dataDir = await freshDataDir();
    const handle = await start(dataDir);
    const profile = { name: 'Ada', dob: '1815-12-10' };
    await people(handle).insertOne({ _id: 1, profile, visits: 0 });
    await people(handle)
      .find({}, { projection: { 'profile.dob': 0 } })
      .toArray();
    await people(handle).updateOne({ _id: 1 }, { $inc: { visits: 1 } });
    await stop(handle);
    const again = await start(dataDir);
    expect(await people(again).findOne({ _id: 1 })).toEqual({ _id: 1, profile, visits: 1 });
    await stop(again);
  });
});

describe('index options across a restart', () => {
  it('keeps collMod changes, partial filters and collations', async () => {
    const dataDir = await freshDataDir();
    const first = await start(dataDir);
    const db = first.client.db('journal');
    await db.collection('people').createIndex({ at: 1 }, { expireAfterSeconds: 3600 });
    await db.collection('people').createIndex(
      { email: 1 },
      {
        unique: true,
        collation: { locale: 'en', strength: 2 },
        partialFilterExpression: { active: true },
      },
    );
    await db.command({ collMod: 'people', index: { name: 'at_1', hidden: true } });
    await db.command({ collMod: 'people', index: { name: 'at_1', expireAfterSeconds: 60 } });
    await stop(first);

    const second = await start(dataDir);
    try {
      const collection = second.client.db('journal').collection('people');
      const indexes = await collection.listIndexes().toArray();
      expect(indexes.find((index) => index.name === 'at_1')).toMatchObject({
        hidden: true,
        expireAfterSeconds: 60,
      });
      await collection.insertMany([
        { email: 'Ada@example.com', active: true },
        { email: 'ada@example.com', active: false },
      ]);
      await expect(
        collection.insertOne({ email: 'ADA@example.com', active: true }),
      ).rejects.toMatchObject({ code: 11000 });
    } finally {
      await stop(second);
    }
  });
});
