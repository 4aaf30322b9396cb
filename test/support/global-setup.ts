import { loadDatabaseConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startDatabase, type DatabaseHandle } from '../../src/db/provider';

declare global {
  var testDatabase: DatabaseHandle | undefined;
}

/**
 * Starts the one database every test file shares (through the same provider `npm start` uses,
 * but with test commands enabled, for the fail point tests) and hands its URI to the workers,
 * which Jest forks after this has run.
 */
export default async function globalSetup(): Promise<void> {
  const config = { ...loadDatabaseConfig(process.env), enableTestCommands: true };
  const handle = await startDatabase(config, createLogger(process.env.LOG_LEVEL ?? 'warn'));
  globalThis.testDatabase = handle;
  process.env.MONGODB_URI = handle.uri;
  process.env.TEST_DATABASE_PROVIDER = handle.kind;
  process.stdout.write(`\ntest database: ${handle.kind} (${handle.reason})\n`);
}
