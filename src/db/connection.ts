import os from 'node:os';

import {
  type MongoClient,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import mongoose, { type Connection } from 'mongoose';

import { type Logger } from '../logger';

export interface ConnectionOptions {
  /** Emit the driver's command events; tests count database commands with them. */
  monitorCommands?: boolean;
  /** How long an operation may wait for a server or a reply before it fails. */
  timeoutMs: number;
  logger?: Logger;
  /** Sees the driver's client before it connects, so no pool or command event is missed. */
  watchClient?: (client: MongoClient) => void;
}

/**
 * A dedicated mongoose connection (never the global default), with automatic index builds off:
 * `ensureIndexes` builds them once at start-up and fails loudly. Every write waits for a
 * majority and is retried once by the driver after a network error, so an acknowledged write
 * survives a failover. Filters are sanitized: a `$`-key from input is a value, never an operator.
 */
export async function openConnection(
  uri: string,
  dbName: string,
  options: ConnectionOptions,
): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    dbName,
    autoIndex: false,
    autoCreate: false,
    monitorCommands: options.monitorCommands ?? false,
    writeConcern: { w: 'majority' },
    retryWrites: true,
    retryReads: true,
    sanitizeFilter: true,
    // A lost database fails a request within this: no server to select, or no reply.
    serverSelectionTimeoutMS: options.timeoutMs,
    socketTimeoutMS: options.timeoutMs,
    // Fail a request at once when the database is gone rather than queue it in memory.
    bufferCommands: false,
    // The driver loads `os` by a dynamic import(), which fails inside a module sandbox (Jest's),
    // and then sends the server no client metadata at all: no appName in its logs or fail points.
    runtimeAdapters: { os },
  });
  options.watchClient?.(connection.getClient());
  // Without a listener, an 'error' event would end the process; the driver reconnects by itself.
  connection.on('error', (error: unknown) => {
    options.logger?.warn({ err: error }, 'database connection error');
  });
  connection.on('disconnected', () => options.logger?.warn('database disconnected'));
  connection.on('reconnected', () => options.logger?.info('database reconnected'));
  await connection.asPromise();
  return connection;
}

/** True when an operation failed because the database could not be reached, not because of it. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof mongoose.Error.MongooseServerSelectionError
  ) {
    return true;
  }
  // With bufferCommands off, mongoose refuses an operation while it counts itself disconnected.
  return (
    error instanceof mongoose.Error && /before initial connection is complete/.test(error.message)
  );
}
