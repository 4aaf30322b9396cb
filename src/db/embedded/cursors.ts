import { randomInt } from 'node:crypto';

import { calculateObjectSize, type Document, Long } from 'bson';

import { MongoCommandError } from './errors';

/** What a find or aggregate leaves for getMore: results materialised when the command ran. */
interface OpenCursor {
  namespace: string;
  documents: Document[];
  position: number;
  sessionId?: string;
  lastUsed: number;
  /** `noCursorTimeout`: kept however long it stays idle, until exhausted or killed. */
  keepIdle: boolean;
}

const DEFAULT_FIRST_BATCH = 101;
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** MongoDB closes idle cursors after ten minutes (cursorTimeoutMillis). */
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

export interface CursorReply {
  id: Long;
  ns: string;
  firstBatch?: Document[];
  nextBatch?: Document[];
}

export class CursorRegistry {
  private readonly cursors = new Map<number, OpenCursor>();

  /** The reply of a cursor-returning command; the cursor stays open only if results remain. */
  open(
    namespace: string,
    documents: Document[],
    options: { batchSize?: number; singleBatch?: boolean; sessionId?: string; keepIdle?: boolean },
  ): CursorReply {
    const cursor: OpenCursor = {
      namespace,
      documents,
      position: 0,
      sessionId: options.sessionId,
      lastUsed: Date.now(),
      keepIdle: options.keepIdle === true,
    };
    const firstBatch =
      options.batchSize === 0 ? [] : takeBatch(cursor, options.batchSize ?? DEFAULT_FIRST_BATCH);
    let id = 0;
    if (!options.singleBatch && cursor.position < documents.length) {
      id = randomInt(1, 2 ** 47);
      this.cursors.set(id, cursor);
    }
    return { firstBatch, id: Long.fromNumber(id), ns: namespace };
  }

  getMore(id: number, namespace: string, batchSize: number | undefined): CursorReply {
    const cursor = this.cursors.get(id);
    if (!cursor) {
      throw new MongoCommandError('CursorNotFound', `cursor id ${id} not found`);
    }
    if (cursor.namespace !== namespace) {
      throw new MongoCommandError(
        'Unauthorized',
        `Requested getMore on namespace '${namespace}', but cursor belongs to a different namespace`,
      );
    }
    cursor.lastUsed = Date.now();
    const nextBatch = takeBatch(cursor, batchSize);
    const exhausted = cursor.position >= cursor.documents.length;
    if (exhausted) this.cursors.delete(id);
    return { nextBatch, id: Long.fromNumber(exhausted ? 0 : id), ns: namespace };
  }

  /** Closes cursors; returns which ids were open and which were not. */
  kill(ids: number[]): { killed: number[]; notFound: number[] } {
    const killed = ids.filter((id) => this.cursors.delete(id));
    return { killed, notFound: ids.filter((id) => !killed.includes(id)) };
  }

  killSessionCursors(sessionId: string): void {
    for (const [id, cursor] of this.cursors)
      if (cursor.sessionId === sessionId) this.cursors.delete(id);
  }

  expireIdle(now = Date.now()): void {
    for (const [id, cursor] of this.cursors) {
      if (!cursor.keepIdle && now - cursor.lastUsed > IDLE_TIMEOUT_MS) this.cursors.delete(id);
    }
  }
}

function takeBatch(cursor: OpenCursor, batchSize: number | undefined): Document[] {
  const limit = batchSize && batchSize > 0 ? batchSize : Number.POSITIVE_INFINITY;
  const batch: Document[] = [];
  let bytes = 0;
  while (cursor.position < cursor.documents.length && batch.length < limit) {
    const document = cursor.documents[cursor.position];
    bytes += calculateObjectSize(document);
    if (batch.length > 0 && bytes > MAX_BATCH_BYTES) break;
    batch.push(document);
    cursor.position++;
  }
  return batch;
}
