import { loadDatabaseConfig } from '../src/config';
import { startDatabase } from '../src/db/provider';

/**
 * The database of a bench run, in a process of its own so that its work never counts against
 * a server under test: whatever the provider picks (MONGODB_URI unchanged, a local mongod, or
 * the embedded server). It tells its parent the URI, and stops when the parent goes.
 */
async function main(): Promise<void> {
  const database = await startDatabase(loadDatabaseConfig(process.env));
  process.on('disconnect', () => {
    void database.stop().finally(() => process.exit(0));
  });
  process.send?.({ uri: database.uri, kind: database.kind });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
