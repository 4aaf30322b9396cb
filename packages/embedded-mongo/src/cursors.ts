import { randomInt } from 'node:crypto';

import { calculateObjectSize, type Document, Long } from 'bson';

import { type Transaction } from './transaction';
import { MongoCommandError } from './errors';

/** Who runs a cursor command: the session (`lsid`) and, inside a transaction, its number. */
export interface CursorCaller {
  sessionId?: string;
  txnNumber?: number;
  /** The transaction the opening command ran in: the cursor ends with it. */
  transaction?: Transaction;
}

/** What a find or aggregate leaves for getMore: results materialised when the command ran. */
interface OpenCursor {
  id: number;
  namespace: string;
  /** Entries already returned are cleared, so that the cursor holds only what remains. */
  documents: (Document | undefined)[];
  /** BSON size of each document not yet returned, by position (earlier entries unused). */
  sizes: number[];
  position: number;
  /** Bytes of the documents not yet returned: what the cursor still holds. */
  bytesHeld: number;
  owner: CursorCaller;
  lastUsed: number;
  /** `noCursorTimeout`: kept however long it stays idle, until exhausted, killed or evicted. */
  keepIdle: boolean;
}

export interface CursorLimits {
  /** Open cursors kept at most; opening more closes the least recently used. */
  maxOpenCursors: number;
  /** Bytes of unreturned results all cursors may hold; past it the least recently used close. */
  maxCursorBytes: number;
}

export const DEFAULT_CURSOR_LIMITS: CursorLimits = {
  maxOpenCursors: 10_000,
  maxCursorBytes: 256 * 1024 * 1024,
};

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

function describeSession(sessionId: string | undefined): string {
  return sessionId ?? 'none';
}

/**
 * The open cursors. Each belongs to the session (and transaction) that opened it, as in
 * MongoDB; a cursor killed by the server (its collection dropped, memory reclaimed) leaves the
 * reason behind so that the next getMore reports it rather than a bare CursorNotFound.
 */
export class CursorRegistry {
  /** In least-recently-used order: a cursor is re-inserted whenever it is used. */
  private readonly cursors = new Map<number, OpenCursor>();
  private readonly killedReasons = new Map<number, MongoCommandError>();
  private heldBytes = 0;

  constructor(
    private readonly limits: CursorLimits = DEFAULT_CURSOR_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Open cursors, and the bytes of results they hold: for checking that both stay capped. */
  get stats(): { open: number; bytesHeld: number } {
    return { open: this.cursors.size, bytesHeld: this.heldBytes };
  }

  /** The reply of a cursor-returning command; the cursor stays open only if results remain. */
  open(
    namespace: string,
    documents: Document[],
    options: {
      batchSize?: number;
      singleBatch?: boolean;
      keepIdle?: boolean;
      owner?: CursorCaller;
    },
  ): CursorReply {
    const cursor: OpenCursor = {
      id: 0,
      namespace,
      documents,
      sizes: [],
      position: 0,
      bytesHeld: 0,
      owner: options.owner ?? {},
      lastUsed: this.now(),
      keepIdle: options.keepIdle === true,
    };
    const firstBatch =
      options.batchSize === 0 ? [] : takeBatch(cursor, options.batchSize ?? DEFAULT_FIRST_BATCH);
    if (options.singleBatch || cursor.position >= documents.length) {
      return { firstBatch, id: Long.fromNumber(0), ns: namespace };
    }
    for (let i = cursor.position; i < documents.length; i++) {
      cursor.sizes[i] = calculateObjectSize(documents[i]!);
      cursor.bytesHeld += cursor.sizes[i];
    }
    if (cursor.bytesHeld > this.limits.maxCursorBytes) {
      throw new MongoCommandError(
        'ExceededMemoryLimit',
        `the results left after the first batch (${cursor.bytesHeld} bytes) exceed the embedded ` +
          `server's maxCursorBytes (${this.limits.maxCursorBytes}); ask for fewer or smaller ` +
          'documents, or a larger batchSize',
      );
    }
    cursor.id = randomInt(1, 2 ** 47);
    this.cursors.set(cursor.id, cursor);
    this.heldBytes += cursor.bytesHeld;
    const transaction = cursor.owner.transaction;
    if (transaction) {
      // As in MongoDB, a transaction's cursors end with it, committed or aborted.
      void transaction.done.then(() => this.remove(cursor.id));
    }
    this.evictBeyondLimits(cursor.id);
    return { firstBatch, id: Long.fromNumber(cursor.id), ns: namespace };
  }

  getMore(
    id: number,
    namespace: string,
    batchSize: number | undefined,
    caller: CursorCaller,
  ): CursorReply {
    const killed = this.killedReasons.get(id);
    if (killed) {
      this.killedReasons.delete(id);
      throw killed;
    }
    const cursor = this.cursors.get(id);
    if (!cursor || (cursor.owner.transaction && cursor.owner.transaction.state !== 'active')) {
      if (cursor) this.remove(id);
      throw new MongoCommandError('CursorNotFound', `cursor id ${id} not found`);
    }
    if (cursor.namespace !== namespace) {
      throw new MongoCommandError(
        'Unauthorized',
        `Requested getMore on namespace '${namespace}', but cursor belongs to a different namespace`,
      );
    }
    assertSameSession(id, cursor.owner, caller);
    assertSameTransaction(id, cursor.owner, caller);
    cursor.lastUsed = this.now();
    this.cursors.delete(id);
    this.cursors.set(id, cursor);
    const before = cursor.position;
    const nextBatch = takeBatch(cursor, batchSize);
    let returned = 0;
    for (let i = before; i < cursor.position; i++) returned += cursor.sizes[i];
    cursor.bytesHeld -= returned;
    this.heldBytes -= returned;
    const exhausted = cursor.position >= cursor.documents.length;
    if (exhausted) this.remove(id);
    return { nextBatch, id: Long.fromNumber(exhausted ? 0 : id), ns: namespace };
  }

  /**
   * Closes cursors; returns which ids were open and which were not. Only the session that
   * opened a cursor may close it: without users, the session is the only owner there is.
   */
  kill(ids: number[], caller: CursorCaller): { killed: number[]; notFound: number[] } {
    for (const id of ids) {
      const cursor = this.cursors.get(id);
      if (cursor && cursor.owner.sessionId !== caller.sessionId) {
        throw new MongoCommandError(
          'Unauthorized',
          `Cursor session id (${describeSession(cursor.owner.sessionId)}) is not the same as ` +
            `the operation context's session id (${describeSession(caller.sessionId)})`,
        );
      }
    }
    const killed: number[] = [];
    const notFound: number[] = [];
    for (const id of ids) {
      const found = this.remove(id) || this.killedReasons.delete(id);
      (found ? killed : notFound).push(id);
    }
    return { killed, notFound };
  }

  killSessionCursors(sessionId: string): void {
    for (const [id, cursor] of this.cursors)
      if (cursor.owner.sessionId === sessionId) this.remove(id);
  }

  /**
   * Kills the cursors over `namespace` (or, with `wholeDatabase`, over any collection of that
   * database), as a drop or rename does in MongoDB: their next getMore fails with `reason`.
   */
  killNamespace(namespace: string, reason: string, wholeDatabase = false): void {
    const prefix = `${namespace}.`;
    for (const [id, cursor] of this.cursors) {
      const over = wholeDatabase
        ? cursor.namespace.startsWith(prefix)
        : cursor.namespace === namespace;
      if (over) this.killWithReason(id, new MongoCommandError('QueryPlanKilled', reason));
    }
  }

  expireIdle(): void {
    const now = this.now();
    for (const [id, cursor] of this.cursors) {
      if (!cursor.keepIdle && now - cursor.lastUsed > IDLE_TIMEOUT_MS) this.remove(id);
    }
  }

  private evictBeyondLimits(keep: number): void {
    for (const [id] of this.cursors) {
      if (
        this.cursors.size <= this.limits.maxOpenCursors &&
        this.heldBytes <= this.limits.maxCursorBytes
      ) {
        return;
      }
      if (id === keep) continue;
      this.killWithReason(
        id,
        new MongoCommandError(
          'CursorNotFound',
          `cursor id ${id} not found: closed as the least recently used when open cursors ` +
            `passed the embedded server's maxOpenCursors or maxCursorBytes`,
        ),
      );
    }
  }

  private killWithReason(id: number, reason: MongoCommandError): void {
    if (!this.remove(id)) return;
    this.killedReasons.set(id, reason);
    // Bounded like the cursors themselves: the oldest reasons go first.
    if (this.killedReasons.size > this.limits.maxOpenCursors) {
      const oldest = this.killedReasons.keys().next().value;
      if (oldest !== undefined) this.killedReasons.delete(oldest);
    }
  }

  private remove(id: number): boolean {
    const cursor = this.cursors.get(id);
    if (!cursor) return false;
    this.heldBytes -= cursor.bytesHeld;
    this.cursors.delete(id);
    return true;
  }
}

/** MongoDB's getMore checks: a cursor continues only in the session that opened it. */
function assertSameSession(id: number, owner: CursorCaller, caller: CursorCaller): void {
  if (owner.sessionId === caller.sessionId) return;
  if (owner.sessionId === undefined) {
    throw new MongoCommandError(
      'Location50736',
      `Cannot run getMore on cursor ${id}, which was not created in a session, in session ` +
        caller.sessionId,
    );
  }
  if (caller.sessionId === undefined) {
    throw new MongoCommandError(
      'Location50737',
      `Cannot run getMore on cursor ${id}, which was created in session ${owner.sessionId}, ` +
        'without an lsid',
    );
  }
  throw new MongoCommandError(
    'Location50738',
    `Cannot run getMore on cursor ${id}, which was created in session ${owner.sessionId}, in ` +
      `session ${caller.sessionId}`,
  );
}

/** ... and, for a cursor opened in a transaction, only in that transaction. */
function assertSameTransaction(id: number, owner: CursorCaller, caller: CursorCaller): void {
  if (owner.txnNumber === caller.txnNumber) return;
  if (owner.txnNumber === undefined) {
    throw new MongoCommandError(
      'Location50739',
      `Cannot run getMore on cursor ${id}, which was not created in a transaction, in ` +
        `transaction ${caller.txnNumber}`,
    );
  }
  if (caller.txnNumber === undefined) {
    throw new MongoCommandError(
      'Location50740',
      `Cannot run getMore on cursor ${id}, which was created in transaction ${owner.txnNumber}, ` +
        'without a txnNumber',
    );
  }
  throw new MongoCommandError(
    'Location50741',
    `Cannot run getMore on cursor ${id}, which was created in transaction ${owner.txnNumber}, ` +
      `in transaction ${caller.txnNumber}`,
  );
}

function takeBatch(cursor: OpenCursor, batchSize: number | undefined): Document[] {
  const limit = batchSize && batchSize > 0 ? batchSize : Number.POSITIVE_INFINITY;
  const batch: Document[] = [];
  let bytes = 0;
  while (cursor.position < cursor.documents.length && batch.length < limit) {
    const document = cursor.documents[cursor.position]!;
    bytes += cursor.sizes[cursor.position] ?? calculateObjectSize(document);
    if (batch.length > 0 && bytes > MAX_BATCH_BYTES) break;
    batch.push(document);
    cursor.documents[cursor.position] = undefined;
    cursor.position++;
  }
  return batch;
}
