import 'reflect-metadata';

import { parseArgs } from 'node:util';

import { systemClock } from '../clock';
import { loadConfig } from '../config';
import { openConnection } from '../db/connection';
import { createModels, ensureIndexes } from '../db/models';
import { startDatabase } from '../db/provider';
import { createLogger } from '../logger';
import { loadDemoData, startOfToday } from './load';

/**
 * `npm run seed [-- --reset] [--customers 300] [--seed 20240501]`: loads the demo data into the
 * configured database. Without --reset it refuses a database that already has customers.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      reset: { type: 'boolean', default: false },
      customers: { type: 'string', default: '300' },
      seed: { type: 'string', default: '20240501' },
    },
  });
  const customers = Number(values.customers);
  const seed = Number(values.seed);
  if (!Number.isInteger(customers) || customers < 1 || !Number.isInteger(seed)) {
    throw new Error('--customers and --seed must be whole numbers (customers at least 1)');
  }
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const database = await startDatabase(config.database, logger);
  const connection = await openConnection(database.uri, config.database.databaseName, {
    timeoutMs: config.databaseTimeoutMs,
  });
  try {
    const models = createModels(connection);
    if (values.reset) {
      await Promise.all(Object.values(models).map((model) => model.deleteMany({})));
    }
    await ensureIndexes(models);
    if ((await models.Customer.estimatedDocumentCount()) > 0) {
      throw new Error('the database already has customers: run with --reset to replace them');
    }
    const result = await loadDemoData(connection, models, {
      seed,
      customers,
      today: startOfToday(systemClock.now()),
    });
    process.stdout.write(
      `seeded ${result.customers} customers, ${result.accounts} brand accounts, ` +
        `${result.quotes} quotes and ${result.preferenceChanges} preference changes into ${config.database.databaseName} (${database.kind})\n`,
    );
    if (database.kind === 'embedded' && !config.database.embeddedDataDir) {
      process.stdout.write(
        'note: the embedded database is in memory and stops with this command; set ' +
          'EMBEDDED_MONGO_DATA or MONGODB_URI to keep the data\n',
      );
    }
  } finally {
    await connection.close();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
