import { type Document } from 'bson';

import { type CursorRegistry } from '../cursors';
import { type StorageEngine, type Transaction } from '../engine';
import { type ServerSession, type SessionRegistry } from '../sessions';

/** Server-wide settings some commands read or change (`getParameter` / `setParameter`). */
export interface ServerState {
  host: string;
  port: number;
  replicaSetName: string;
  parameters: { ttlMonitorSleepSecs: number };
  onParametersChanged(): void;
}

/** Everything one command may use; built per command by the dispatcher. */
export interface CommandContext {
  engine: StorageEngine;
  cursors: CursorRegistry;
  sessions: SessionRegistry;
  server: ServerState;
  connectionId: number;
  database: string;
  command: Document;
  session?: ServerSession;
  /** The multi-document transaction this command runs in (`autocommit: false`), if any. */
  transaction?: Transaction;
  /**
   * Runs one write statement atomically. Inside a transaction it stages into it; outside, it
   * commits at once, first waiting for any open transaction holding a document it writes.
   */
  write<T>(statement: (txn: Transaction) => T): Promise<T>;
}

export interface CommandHandler {
  /** Fields the command accepts besides its name and the generic ones: anything else is refused. */
  fields: readonly string[];
  /** Extra fields are ignored rather than refused, as MongoDB's non-strict commands (hello) do. */
  lenient?: boolean;
  /** MongoDB options this server does not implement: refused as NotImplemented, never ignored. */
  unsupported?: readonly string[];
  /** May run inside a multi-document transaction. */
  inTransaction?: boolean;
  /** A retryable write: a retry with the same txnNumber gets the first reply back. */
  retryableWrite?: boolean;
  run(context: CommandContext): Document | Promise<Document>;
}

export type CommandTable = Record<string, CommandHandler>;
