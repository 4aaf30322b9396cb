import { loadDatabaseConfig } from '../../config';
import { startDatabase } from '../provider';

/** `npm run db`: the embedded server alone; prints its URI for the driver, mongosh or the gateway. */
async function main(): Promise<void> {
  const config = loadDatabaseConfig(process.env);
  const database = await startDatabase({
    ...config,
    provider: 'embedded',
    embeddedPort: config.embeddedPort ?? 27017,
  });
  process.stdout.write(`${database.reason}\n${database.uri}\n`);
  const stop = () => {
    void database.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
