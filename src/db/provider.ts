import { lookup } from 'node:dns/promises';

import { type DatabaseConfig, type DatabaseProviderKind } from '../config';
import { type Logger } from '../logger';

/** A running database that mongoose or the driver can connect to with `uri`. */
export interface DatabaseHandle {
  kind: DatabaseProviderKind;
  uri: string;
  /** Why this provider was picked, for the one start-up log line. */
  reason: string;
  stop(): Promise<void>;
}

export class DatabaseProviderError extends Error {
  override name = 'DatabaseProviderError';
}

/** How long a missing mongod binary may take to be ruled out before the embedded server is used. */
const MONGOD_PROBE_TIMEOUT_MS = 3000;
const MONGOD_DOWNLOAD_HOST = 'fastdl.mongodb.org';

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function connectToUri(uri: string, reason: string): DatabaseHandle {
  return { kind: 'uri', uri, reason, stop: async () => undefined };
}

/**
 * Finds a mongod binary without hanging offline: a configured or cached binary is used as is; a
 * download is attempted only when asked for (`MONGO_PROVIDER=mongod`) and when the download host
 * resolves quickly. Automatic start-up never waits on the network: offline that probe alone cost
 * seconds of every `npm start`.
 */
async function findMongodBinary(
  download: boolean,
): Promise<{ path: string; source: string } | undefined> {
  const { DryMongoBinary, MongoBinary } = await import('mongodb-memory-server');
  const located = await DryMongoBinary.locateBinary(DryMongoBinary.getEnsuredOptions());
  if (located) return { path: located, source: 'a mongod binary found on this machine' };
  if (!download) return undefined;
  try {
    await withTimeout(lookup(MONGOD_DOWNLOAD_HOST), MONGOD_PROBE_TIMEOUT_MS, 'DNS lookup');
  } catch {
    return undefined;
  }
  const downloaded = await MongoBinary.getPath();
  return { path: downloaded, source: 'a downloaded mongod binary' };
}

async function startMongod(
  binary: { path: string; source: string },
  enableTestCommands: boolean,
): Promise<DatabaseHandle> {
  const { MongoMemoryReplSet } = await import('mongodb-memory-server');
  const replSet = await MongoMemoryReplSet.create({
    binary: { systemBinary: binary.path },
    replSet: {
      count: 1,
      storageEngine: 'wiredTiger',
      args: enableTestCommands ? ['--setParameter', 'enableTestCommands=1'] : [],
    },
  });
  await replSet.waitUntilRunning();
  return {
    kind: 'mongod',
    uri: replSet.getUri(),
    reason: `no MONGODB_URI; started ${binary.source} as a single-node replica set`,
    stop: async () => {
      await replSet.stop();
    },
  };
}

async function startEmbedded(config: DatabaseConfig, reason: string): Promise<DatabaseHandle> {
  // Loaded only when chosen: a gateway on MONGODB_URI carries none of the server's code.
  const { startEmbeddedServer } = await import('@customer-profile/embedded-mongo');
  const server = await startEmbeddedServer({
    port: config.embeddedPort ?? 0,
    dataDir: config.embeddedDataDir,
    enableTestCommands: config.enableTestCommands,
  });
  const persistence = config.embeddedDataDir
    ? `persisting to ${config.embeddedDataDir}`
    : 'in memory only';
  return {
    kind: 'embedded',
    uri: server.uri,
    reason: `${reason}; embedded development database (${persistence})`,
    stop: () => server.close(),
  };
}

async function pickDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  switch (config.provider) {
    case 'uri':
      if (!config.uri) throw new DatabaseProviderError('MONGO_PROVIDER=uri needs MONGODB_URI');
      return connectToUri(config.uri, 'MONGO_PROVIDER=uri');
    case 'mongod': {
      const binary = await findMongodBinary(true).catch((error: Error) => {
        throw new DatabaseProviderError(`MONGO_PROVIDER=mongod: ${error.message}`);
      });
      if (!binary) {
        throw new DatabaseProviderError(
          'MONGO_PROVIDER=mongod: no mongod binary on this machine and none can be downloaded ' +
            '(set MONGOMS_SYSTEM_BINARY to a mongod path)',
        );
      }
      return startMongod(binary, config.enableTestCommands ?? false);
    }
    case 'embedded':
      return startEmbedded(config, 'MONGO_PROVIDER=embedded');
    case undefined:
      break;
  }
  if (config.uri) return connectToUri(config.uri, 'MONGODB_URI is set');
  const binary = await findMongodBinary(false).catch(() => undefined);
  if (binary) return startMongod(binary, config.enableTestCommands ?? false);
  return startEmbedded(config, 'no MONGODB_URI and no mongod binary on this machine');
}

/**
 * The one place that decides which database the gateway, the tests and the benchmarks use:
 * MONGODB_URI, else a mongod binary already on this machine, else the embedded server.
 * MONGO_PROVIDER forces one (`mongod` may download a binary).
 */
export async function startDatabase(
  config: DatabaseConfig,
  logger?: Logger,
): Promise<DatabaseHandle> {
  const handle = await pickDatabase(config);
  logger?.info(
    { provider: handle.kind, reason: handle.reason },
    `database provider: ${handle.kind}`,
  );
  if (handle.kind === 'embedded') {
    logger?.warn(
      { provider: handle.kind },
      'using the embedded development database: not for production data',
    );
  }
  return handle;
}
