import { type Document } from 'bson';

import { canonicalKey } from './bson-order';
import { type StorageEngine } from './engine';
import { type Transaction } from './transaction';
import { noSuchTransaction } from './commands/transactions';
import { MongoCommandError } from './errors';

/** A logical session (`lsid`): its current transaction and its last retryable write. */
export class ServerSession {
  txnNumber = -1;
  transaction?: Transaction;
  transactionStarted = 0;
  /** The reply of the last retryable write, returned again when the driver retries it. */
  lastRetryableWrite?: { txnNumber: number; reply: Document };
  /** The retryable write still running, whose reply a retry of it waits for. */
  retryableWriteInProgress?: { txnNumber: number; reply: Promise<Document> };
  lastUsed = Date.now();

  constructor(readonly id: string) {}
}

export class SessionRegistry {
  private readonly sessions = new Map<string, ServerSession>();
  readonly logicalSessionTimeoutMinutes = 30;
  /** MongoDB's transactionLifetimeLimitSeconds: older transactions are aborted. */
  transactionLifetimeSeconds = 60;

  constructor(private readonly engine: StorageEngine) {}

  get(lsid: Document): ServerSession {
    const id = canonicalKey(lsid.id);
    let session = this.sessions.get(id);
    if (!session) this.sessions.set(id, (session = new ServerSession(id)));
    session.lastUsed = Date.now();
    return session;
  }

  /** Ends sessions, aborting their open transactions; returns the ended sessions' ids. */
  end(lsids: Document[]): string[] {
    return lsids.map((lsid) => {
      const id = canonicalKey(lsid.id);
      const transaction = this.sessions.get(id)?.transaction;
      if (transaction) this.engine.abort(transaction);
      this.sessions.delete(id);
      return id;
    });
  }

  /**
   * Starts or continues the transaction a command belongs to (`autocommit: false`), following
   * the server side of MongoDB's transactions specification.
   */
  transactionFor(session: ServerSession, command: Document): Transaction {
    const txnNumber = Number(command.txnNumber);
    if (command.startTransaction === true) {
      if (txnNumber < session.txnNumber) {
        throw new MongoCommandError(
          'TransactionTooOld',
          `Cannot start transaction ${txnNumber} on session because a newer transaction ` +
            `${session.txnNumber} has already started`,
        );
      }
      if (txnNumber === session.txnNumber) {
        throw new MongoCommandError(
          'ConflictingOperationInProgress',
          `Transaction ${txnNumber} has already been started`,
        );
      }
      if (session.transaction) this.engine.abort(session.transaction);
      session.txnNumber = txnNumber;
      session.transaction = this.engine.begin(false);
      session.transactionStarted = Date.now();
      return session.transaction;
    }
    if (txnNumber !== session.txnNumber || !session.transaction) {
      throw noSuchTransaction(txnNumber);
    }
    return session.transaction;
  }

  /**
   * Forgets sessions idle past the logical session timeout, as MongoDB does, so clients that
   * never end their sessions cannot grow the registry without bound.
   */
  expireSessions(now = Date.now()): void {
    const timeoutMs = this.logicalSessionTimeoutMinutes * 60 * 1000;
    for (const [id, session] of this.sessions) {
      if (now - session.lastUsed <= timeoutMs) continue;
      if (session.transaction) this.engine.abort(session.transaction);
      this.sessions.delete(id);
    }
  }

  /** Aborts transactions open longer than their lifetime, releasing their locks. */
  expireTransactions(now = Date.now()): void {
    for (const session of this.sessions.values()) {
      const transaction = session.transaction;
      if (
        transaction?.state === 'active' &&
        now - session.transactionStarted > this.transactionLifetimeSeconds * 1000
      ) {
        this.engine.abort(transaction);
      }
    }
  }
}
