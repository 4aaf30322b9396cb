import { type Document } from 'bson';

import { type CursorRegistry } from '../cursors';
import { type CommandMetrics } from './command-metrics';
import { type StorageEngine } from '../engine';
import { type FailCommandPoint } from './fail-command';
import { type Transaction } from '../transaction';
import { type ServerSession, type SessionRegistry } from '../sessions';

/** Operations counted since start-up, as `serverStatus.opcounters` reports them. */
export interface OpCounters {
  insert: number;
  query: number;
  update: number;
  delete: number;
  getmore: number;
  command: number;
}

/** Server-wide state some commands read or change (`getParameter`, `serverStatus`). */
export interface ServerState {
  host: string;
  port: number;
  replicaSetName: string;
  parameters: { ttlMonitorSleepSecs: number };
  onParametersChanged(): void;
  /** When the server started (epoch milliseconds). */
  startedAt: number;
  opcounters: OpCounters;
  commandMetrics: CommandMetrics;
  /** Connections open now, still accepted before the limit, and accepted since start-up. */
  connections(): { current: number; available: number; totalCreated: number };
  /** MongoDB's `failCommand` fail point: only on a server started with test commands enabled. */
  failCommand?: FailCommandPoint;
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
