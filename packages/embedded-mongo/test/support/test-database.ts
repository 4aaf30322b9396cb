import { randomBytes } from 'node:crypto';
import os from 'node:os';

import {
  MongoClient,
  type Collection,
  type Db,
  type Document,
  type MongoClientOptions,
  type ObjectId,
} from 'mongodb';

import { recordCommands } from './transcript';

/** The deployment under test: MONGODB_URI, or the server the global setup started. */
function testDatabaseUri(): string {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set: run the tests through jest (global setup)');
  return uri;
}

/** A database name no other test file uses, so files never see each other's data. */
function uniqueDatabaseName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/**
 * The driver loads `os` by a dynamic import(), which fails inside Jest's module sandbox; it then
 * sends no client metadata, appName included. Handing it `os` keeps the handshake whole.
 */
export const RUNTIME_ADAPTERS = { os };

/** A client whose commands appear in the transcript of a failing `traced` test. */
export async function connectClient(
  uri: string = testDatabaseUri(),
  options: MongoClientOptions = {},
): Promise<MongoClient> {
  const client = new MongoClient(uri, {
    monitorCommands: true,
    runtimeAdapters: RUNTIME_ADAPTERS,
    ...options,
  });
  recordCommands(client);
  await client.connect();
  return client;
}

/**
 * What the tests store: any document, whose `_id` may be a number or a string as well as an
 * ObjectId (the driver's `Document` default would only allow ObjectId).
 */
export interface TestDocument extends Document {
  _id?: ObjectId | number | string;
}

export interface TestDatabase {
  readonly client: MongoClient;
  readonly db: Db;
  readonly name: string;
  /** A collection no other test of the file uses, so tests never see each other's data. */
  collection<T extends Document = TestDocument>(label?: string): Collection<T>;
  /** Another client on the same deployment (closed with the file's own). */
  connect(options?: MongoClientOptions): Promise<MongoClient>;
}

/**
 * Gives a test file its own database and client for all of its tests, dropped and closed in
 * afterAll. Call it once at the top level of the file.
 */
export function useTestDatabase(prefix: string): TestDatabase {
  const clients: MongoClient[] = [];
  let client: MongoClient | undefined;
  let db: Db | undefined;
  const name = uniqueDatabaseName(prefix);
  let collections = 0;

  beforeAll(async () => {
    client = await connectClient();
    clients.push(client);
    db = client.db(name);
  });

  afterAll(async () => {
    try {
      await db?.dropDatabase();
    } finally {
      await Promise.all(clients.map((each) => each.close()));
    }
  });

  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestDatabase: used before beforeAll ran');
    return value;
  };

  return {
    get client() {
      return ready(client);
    },
    get db() {
      return ready(db);
    },
    name,
    collection<T extends Document = TestDocument>(label = 'c'): Collection<T> {
      collections += 1;
      return ready(db).collection<T>(`${label}_${collections}`);
    },
    async connect(options?: MongoClientOptions): Promise<MongoClient> {
      const extra = await connectClient(testDatabaseUri(), options);
      clients.push(extra);
      return extra;
    },
  };
}
