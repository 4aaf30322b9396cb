import mongoose, { type Connection } from 'mongoose';

export interface ConnectionOptions {
  /** Emit the driver's command events; tests count database commands with them. */
  monitorCommands?: boolean;
}

/**
 * A dedicated mongoose connection (never the global default), with automatic index builds off:
 * `ensureIndexes` builds them once at start-up and fails loudly.
 */
export async function openConnection(
  uri: string,
  dbName: string,
  options: ConnectionOptions = {},
): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    dbName,
    autoIndex: false,
    autoCreate: false,
    monitorCommands: options.monitorCommands ?? false,
    serverSelectionTimeoutMS: 10_000,
    // Fail a request at once when the database is gone rather than queue it in memory.
    bufferCommands: false,
  });
  await connection.asPromise();
  return connection;
}
