import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
  existsSync,
  ftruncateSync,
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

import { type IndexSpec } from './indexes';

export type JournalOperation =
  | { op: 'createCollection'; ns: string }
  | { op: 'dropCollection'; ns: string }
  | { op: 'renameCollection'; ns: string; to: string }
  | { op: 'dropDatabase'; db: string }
  | { op: 'createIndex'; ns: string; spec: IndexSpec }
  | { op: 'dropIndex'; ns: string; name: string }
  /** A committed document version; `doc` null is a deletion. `id` is the canonical `_id` key. */
  | { op: 'put'; ns: string; id: string; doc: Document | null };

const JOURNAL_FILE = 'journal.bson';
const RECORD_HEADER = 8;
/**
 * The log is rewritten once it is this large and more than twice its size after the last
 * compaction: rewrites stay rare for a big data set, and a small one never carries much history.
 */
const MIN_COMPACTION_BYTES = 4 * 1024 * 1024;

let serializeBufferSize = 17 * 1024 * 1024;

function encodeRecord(operations: JournalOperation[]): Buffer {
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

/** Reads every whole, intact record; a torn or corrupt tail (a crash mid-write) ends the log. */
function readRecords(bytes: Buffer): { records: JournalOperation[][]; validLength: number } {
  const records: JournalOperation[][] = [];
  let offset = 0;
  while (offset + RECORD_HEADER <= bytes.length) {
    const length = bytes.readUInt32LE(offset);
    const checksum = bytes.readUInt32LE(offset + 4);
    const end = offset + RECORD_HEADER + length;
    if (end > bytes.length) break;
    const body = bytes.subarray(offset + RECORD_HEADER, end);
    if (crc32(body) !== checksum) break;
    records.push(deserialize(body, { promoteLongs: true, promoteValues: true }).ops);
    offset = end;
  }
  return { records, validLength: offset };
}

/**
 * An append-only log of catalog changes and committed writes. Every append reaches the disk
 * (fdatasync) before it returns, so an acknowledged write survives `kill -9`.
 */
export class Journal {
  private constructor(
    private readonly directory: string,
    private fd: number,
    /** The log's length now, and just after it was last compacted. */
    private bytes: number,
    private compactedBytes: number,
  ) {}

  /** Opens (creating) the journal in `directory` and returns the operations it holds. */
  static open(directory: string): { journal: Journal; operations: JournalOperation[] } {
    mkdirSync(directory, { recursive: true });
    const path = join(directory, JOURNAL_FILE);
    const bytes = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
    const { records, validLength } = readRecords(bytes);
    const fd = openSync(path, 'a+');
    if (validLength < bytes.length) {
      ftruncateSync(fd, validLength);
      fsyncSync(fd);
    }
    return {
      journal: new Journal(directory, fd, validLength, validLength),
      operations: records.flat(),
    };
  }

  append(operation: JournalOperation): void {
    this.write([operation]);
  }

  /** One record for all of a commit's writes, so a crash keeps all of them or none. */
  appendCommit(operations: JournalOperation[]): void {
    this.write(operations);
  }

  private write(operations: JournalOperation[]): void {
    const record = encodeRecord(operations);
    writeSync(this.fd, record);
    fdatasyncSync(this.fd);
    this.bytes += record.length;
  }

  /** True when the log holds mostly superseded history and should be compacted. */
  get outgrown(): boolean {
    return this.bytes > Math.max(MIN_COMPACTION_BYTES, 2 * this.compactedBytes);
  }

  /**
   * Replaces the log with `operations` (the current state), atomically: a crash during
   * compaction leaves either the old log or the new one. It runs synchronously, so no commit
   * can land between reading the state and switching logs.
   */
  compact(operations: Iterable<JournalOperation>): void {
    const path = join(this.directory, JOURNAL_FILE);
    const temporary = `${path}.compacting`;
    const fd = openSync(temporary, 'w');
    let written = 0;
    let batch: JournalOperation[] = [];
    const flush = () => {
      written += writeSync(fd, encodeRecord(batch));
      batch = [];
    };
    for (const operation of operations) {
      batch.push(operation);
      if (batch.length >= 100) flush();
    }
    if (batch.length > 0) flush();
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, path);
    const directoryFd = openSync(this.directory, 'r');
    fsyncSync(directoryFd);
    closeSync(directoryFd);
    closeSync(this.fd);
    this.fd = openSync(path, 'a');
    this.bytes = this.compactedBytes = written;
  }

  close(): void {
    closeSync(this.fd);
  }
}
