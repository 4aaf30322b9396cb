import { loadDatabaseConfig } from '../../config';
import { startEmbeddedServer } from './server';

/** `npm run db`: the embedded server alone; prints its URI for the driver, mongosh or the gateway. */
async function main(): Promise<void> {
  const config = loadDatabaseConfig(process.env);
  const server = await startEmbeddedServer({
    port: config.embeddedPort ?? 27017,
    dataDir: config.embeddedDataDir,
  });
  const persistence = config.embeddedDataDir
    ? `persisting to ${config.embeddedDataDir}`
    : 'in memory';
  process.stdout.write(`embedded MongoDB-compatible server (development only, ${persistence})\n`);
  process.stdout.write(`${server.uri}\n`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
