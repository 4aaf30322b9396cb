import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

import {
  calculateObjectSize,
  deserialize,
  type Document,
  serialize,
  setInternalBufferSize,
} from 'bson';

import { MongoCommandError } from './errors';
import { type IndexSpec } from './indexes';

/**
 * The calls through which the journal changes its file, replaceable so that tests can simulate a
 * full disk or a failing device.
 */
export interface JournalFileSystem {
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fdatasyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
}

const NODE_FILE_SYSTEM: JournalFileSystem = { writeSync, fdatasyncSync, ftruncateSync };

export type JournalOperation =
  | { op: 'createCollection'; ns: string }
  | { op: 'dropCollection'; ns: string }
  | { op: 'renameCollection'; ns: string; to: string }
  | { op: 'dropDatabase'; db: string }
  | { op: 'createIndex'; ns: string; spec: IndexSpec }
  | { op: 'dropIndex'; ns: string; name: string }
  /** collMod of an index: its spec replaced (hidden, expireAfterSeconds), its keys unchanged. */
  | { op: 'modifyIndex'; ns: string; spec: IndexSpec }
  /** A committed document version; `doc` null is a deletion. `id` is the canonical `_id` key. */
  | { op: 'put'; ns: string; id: string; doc: Document | null };

const JOURNAL_FILE = 'journal.bson';
const LOCK_FILE = 'mongod.lock';
const RECORD_HEADER = 8;
/**
 * The log is rewritten once it is this large and more than twice its size after the last
 * compaction: rewrites stay rare for a big data set, and a small one never carries much history.
 */
const MIN_COMPACTION_BYTES = 4 * 1024 * 1024;

let serializeBufferSize = 17 * 1024 * 1024;

function encodeRecord(operations: readonly JournalOperation[]): Buffer {
  // A large transaction commits as one record (all or nothing), which may outgrow bson's buffer.
  const size = calculateObjectSize({ ops: operations }, { ignoreUndefined: true });
  if (size > serializeBufferSize) {
    serializeBufferSize = size + 1024;
    setInternalBufferSize(serializeBufferSize);
  }
  const body = serialize({ ops: operations }, { checkKeys: false, ignoreUndefined: true });
  const header = Buffer.alloc(RECORD_HEADER);
  header.writeUInt32LE(body.length, 0);
  header.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([header, body]);
}

/** The intact record starting at `offset`, or undefined when none does. */
function recordAt(
  bytes: Buffer,
  offset: number,
): { operations: JournalOperation[]; end: number } | undefined {
  if (offset + RECORD_HEADER > bytes.length) return undefined;
  const length = bytes.readUInt32LE(offset);
  const end = offset + RECORD_HEADER + length;
  // The body is one BSON document, whose own first four bytes repeat the record's length: a
  // cheap test that rules out most offsets before the checksum is computed.
  if (length < 5 || end > bytes.length || bytes.readUInt32LE(offset + RECORD_HEADER) !== length) {
    return undefined;
  }
  const body = bytes.subarray(offset + RECORD_HEADER, end);
  if (crc32(body) !== bytes.readUInt32LE(offset + 4)) return undefined;
  try {
    const { ops } = deserialize(body, { promoteLongs: true, promoteValues: true });
    return Array.isArray(ops) ? { operations: ops as JournalOperation[], end } : undefined;
  } catch {
    return undefined;
  }
}

function allZero(bytes: Buffer): boolean {
  return bytes.every((byte) => byte === 0);
}

/**
 * Whether the bytes from `offset` on are what a crash in the middle of an append leaves: zeros,
 * or the beginning of one record that runs to the end of the file (or into zeros), with no intact
 * record after it. A damaged last record cannot be told from a torn one.
 */
function isTornTail(bytes: Buffer, offset: number): boolean {
  if (allZero(bytes.subarray(offset))) return true;
  for (let next = offset + 1; next + RECORD_HEADER < bytes.length; next++) {
    if (recordAt(bytes, next)) return false;
  }
  if (offset + RECORD_HEADER > bytes.length) return true;
  const claimedEnd = offset + RECORD_HEADER + bytes.readUInt32LE(offset);
  return claimedEnd >= bytes.length || allZero(bytes.subarray(claimedEnd));
}

/**
 * Reads every record. A torn last record or a zero-filled tail (a crash mid-append) ends the log
 * at `validLength`; damage anywhere else is refused, since cutting there would silently drop
 * acknowledged writes that follow it.
 */
function readRecords(
  bytes: Buffer,
  path: string,
): { records: JournalOperation[][]; validLength: number } {
  const records: JournalOperation[][] = [];
  let offset = 0;
  for (let record = recordAt(bytes, 0); record; record = recordAt(bytes, offset)) {
    records.push(record.operations);
    offset = record.end;
  }
  if (offset < bytes.length && !isTornTail(bytes, offset)) {
    throw new Error(
      `the journal ${path} is damaged: record ${records.length + 1} (at byte ${offset} of ` +
        `${bytes.length}) is unreadable and intact data follows it. The file is left as it is; ` +
        `the server will not start on it (restore it from a copy, or move it away to start empty)`,
    );
  }
  return { records, validLength: offset };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data directory for this process: a lock file holding its pid, created atomically
 * (written aside, then hard-linked into place, so it never exists without its pid). A lock whose
 * process is gone (killed, crashed) is stale and taken over. Two servers starting in the same
 * instant over one stale lock are not told apart; every other overlap is refused.
 */
function lockDirectory(directory: string): string {
  const path = join(directory, LOCK_FILE);
  const mine = `${path}.${process.pid}`;
  writeFileSync(mine, `${process.pid}\n`, { flush: true });
  try {
    for (;;) {
      try {
        linkSync(mine, path);
        return path;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        const who = holder === process.pid ? `this process (${holder})` : `process ${holder}`;
        throw new Error(
          `the data directory ${directory} is in use by ${who}: another embedded server owns ` +
            `it. Stop that server first; if no server runs there, delete ${path}`,
        );
      }
      unlinkSync(path);
    }
  } finally {
    unlinkSync(mine);
  }
}

/** A failed journal write, reported to the client whose command it was. */
function writeFailed(cause: unknown, refusing: boolean): MongoCommandError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const full = (cause as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC';
  return new MongoCommandError(
    full ? 'OutOfDiskSpace' : 'InternalError',
    refusing
      ? `the journal could not be written (${reason}) nor restored to its last whole record; ` +
          `this server refuses every further write until it is restarted`
      : `the journal could not be written (${reason}); nothing of this write was applied`,
  );
}

/**
 * An append-only log of catalog changes and committed writes. Every append reaches the disk
 * (fdatasync) before it returns, so an acknowledged write survives `kill -9`.
 */
export class Journal {
  /** Set once a failed write could not be undone: from then on every write is refused. */
  private broken?: MongoCommandError;

  private constructor(
    private readonly directory: string,
    private readonly lockPath: string,
    private readonly fileSystem: JournalFileSystem,
    private fd: number,
    /** The log's length now (every byte of it whole records), and just after compaction. */
    private bytes: number,
    private compactedBytes: number,
  ) {}

  /**
   * Locks `directory` (creating it), and opens the journal there, returning the operations it
   * holds. Refuses a directory another live server holds, and a journal damaged anywhere but in
   * its last record.
   */
  static open(
    directory: string,
    fileSystem: JournalFileSystem = NODE_FILE_SYSTEM,
  ): { journal: Journal; operations: JournalOperation[] } {
    mkdirSync(directory, { recursive: true });
    const lockPath = lockDirectory(directory);
    try {
      const path = join(directory, JOURNAL_FILE);
      const bytes = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
      const { records, validLength } = readRecords(bytes, path);
      const fd = openSync(path, 'a+');
      if (validLength < bytes.length) {
        ftruncateSync(fd, validLength);
        fsyncSync(fd);
      }
      return {
        journal: new Journal(directory, lockPath, fileSystem, fd, validLength, validLength),
        operations: records.flat(),
      };
    } catch (error) {
      unlinkSync(lockPath);
      throw error;
    }
  }

  /**
   * Appends `operations` as one record (a commit's writes together, so a crash keeps all of them
   * or none) and waits for the disk. Throws, having applied nothing, unless every byte is written
   * and flushed; a failure that cannot be undone refuses every later write.
   */
  append(operations: readonly JournalOperation[]): void {
    if (this.broken) throw this.broken;
    const record = encodeRecord(operations);
    try {
      writeFully(this.fileSystem, this.fd, record);
      this.fileSystem.fdatasyncSync(this.fd);
    } catch (error) {
      this.undoPartialWrite(error);
    }
    this.bytes += record.length;
  }

  /** Cuts the log back to its last whole record, so that the next append follows it. */
  private undoPartialWrite(cause: unknown): never {
    try {
      this.fileSystem.ftruncateSync(this.fd, this.bytes);
      this.fileSystem.fdatasyncSync(this.fd);
    } catch {
      this.broken = writeFailed(cause, true);
      throw this.broken;
    }
    throw writeFailed(cause, false);
  }

  /** True when the log holds mostly superseded history and should be compacted. */
  get outgrown(): boolean {
    return !this.broken && this.bytes > Math.max(MIN_COMPACTION_BYTES, 2 * this.compactedBytes);
  }

  /**
   * Replaces the log with `operations` (the current state), atomically: a crash or a failed write
   * during compaction leaves the old log in place. It runs synchronously, so no commit can land
   * between reading the state and switching logs.
   */
  compact(operations: Iterable<JournalOperation>): void {
    if (this.broken) throw this.broken;
    const path = join(this.directory, JOURNAL_FILE);
    const temporary = `${path}.compacting`;
    const fd = openSync(temporary, 'w');
    let written = 0;
    try {
      let batch: JournalOperation[] = [];
      const flush = () => {
        const record = encodeRecord(batch);
        writeFully(this.fileSystem, fd, record);
        written += record.length;
        batch = [];
      };
      for (const operation of operations) {
        batch.push(operation);
        if (batch.length >= 100) flush();
      }
      if (batch.length > 0) flush();
      this.fileSystem.fdatasyncSync(fd);
    } catch (error) {
      closeSync(fd);
      unlinkSync(temporary);
      throw error;
    }
    closeSync(fd);
    renameSync(temporary, path);
    const directoryFd = openSync(this.directory, 'r');
    fsyncSync(directoryFd);
    closeSync(directoryFd);
    closeSync(this.fd);
    this.fd = openSync(path, 'a');
    this.bytes = this.compactedBytes = written;
  }

  /** Closes the log and gives up the directory. */
  close(): void {
    closeSync(this.fd);
    unlinkSync(this.lockPath);
  }
}

/** Writes all of `buffer`: a write may take fewer bytes than it was given (a full disk). */
function writeFully(fileSystem: JournalFileSystem, fd: number, buffer: Buffer): void {
  for (let offset = 0; offset < buffer.length;) {
    const written = fileSystem.writeSync(fd, buffer, offset, buffer.length - offset);
    if (written <= 0) {
      throw new Error(`a write stopped after ${offset} of ${buffer.length} bytes`);
    }
    offset += written;
  }
}
