import 'reflect-metadata';

import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';

import { MongoClient, type ObjectId } from 'mongodb';

import { signDevelopmentToken } from '../src/auth/tokens';
import { loadConfig } from '../src/config';
import { createGateway } from '../src/gateway';
import { loadDemoData, startOfToday } from '../src/seed/load';
import { markdownTable, measure } from './measure';
import { writeReadmeSection } from './readme-section';

const OPERATIONS = Number(process.env.BENCH_OPERATIONS ?? 300);
const CUSTOMERS_PER_QUERY = 50;

const PROFILE_QUERY = `query Profiles($ids: [ID!]!) {
  customers(ids: $ids) {
    id
    name { firstName lastName }
    brandAccounts { brand accountId membership { scheme since } }
    quotes(first: 5) { totalCount edges { node { id reference status premium { amount } createdAt } } }
    loyalty { eligibleDiscounts { code percentage reason } }
  }
}`;

/**
 * The same reads the gateway makes for PROFILE_QUERY, straight through the driver: the floor
 * no gateway on this database can go below.
 */
async function readProfilesWithDriver(client: MongoClient, database: string, ids: ObjectId[]) {
  const db = client.db(database);
  const scope = { customerId: { $in: ids } };
  return Promise.all([
    db
      .collection('customers')
      .find({ _id: { $in: ids } })
      .toArray(),
    db.collection('brandAccounts').find(scope).sort({ linkedAt: 1, _id: 1 }).toArray(),
    db
      .collection('quotes')
      .aggregate([
        { $match: scope },
        { $sort: { customerId: 1, createdAt: -1, _id: -1 } },
        { $group: { _id: '$customerId', quotes: { $firstN: { input: '$$ROOT', n: 6 } } } },
      ])
      .toArray(),
    db
      .collection('quotes')
      .aggregate([{ $match: scope }, { $group: { _id: '$customerId', count: { $sum: 1 } } }])
      .toArray(),
    db
      .collection('quotes')
      .find({ ...scope, status: 'PURCHASED' })
      .sort({ createdAt: 1, _id: 1 })
      .toArray(),
  ]);
}

/**
 * `npm run bench`: a brand website's profile query for 50 customers, over HTTP through the
 * whole gateway, against two floors measured in the same run: the same reads made directly
 * with the driver, and a bare HTTP round trip to the gateway.
 */
async function main(): Promise<void> {
  const database = `bench_${Date.now()}`;
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'development',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SEED_DEMO_DATA: 'false',
    MONGODB_DATABASE: database,
    // With MONGODB_URI set there is no development secret: the bench signs its own tokens.
    AUTH_JWT_SECRET: process.env.AUTH_JWT_SECRET || randomBytes(32).toString('hex'),
  });
  const gateway = await createGateway(config);
  const client = await new MongoClient(gateway.database.uri).connect();
  try {
    const seeded = await loadDemoData(gateway.connection, gateway.models, {
      today: startOfToday(new Date()),
    });
    const ids = (await gateway.models.Customer.find().limit(CUSTOMERS_PER_QUERY).lean()).map(
      (customer) => customer._id,
    );
    const token = await signDevelopmentToken(config.auth.jwtSecret!, {
      role: 'staff',
      sub: 'bench',
    });
    const body = JSON.stringify({ query: PROFILE_QUERY, variables: { ids: ids.map(String) } });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const healthz = gateway.url.replace(/\/graphql$/, '/healthz');

    const floor = await measure('driver reads for 50 profiles (floor)', OPERATIONS, () =>
      readProfilesWithDriver(client, database, ids),
    );
    const rows = [
      await measure('HTTP round trip (GET /healthz)', OPERATIONS, async () => {
        await (await fetch(healthz)).text();
      }),
      await measure('gateway: profiles of 50 customers', OPERATIONS, async () => {
        const response = await fetch(gateway.url, { method: 'POST', headers, body });
        const result = (await response.json()) as {
          errors?: unknown;
          data?: { customers: unknown[] };
        };
        if (result.errors || result.data?.customers.length !== ids.length) {
          throw new Error(`unexpected answer: ${JSON.stringify(result).slice(0, 300)}`);
        }
      }),
    ];
    const table = markdownTable(floor, rows);
    const context =
      `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: provider ` +
      `\`${gateway.database.kind}\`, demo data (${seeded.customers} customers, ` +
      `${seeded.quotes} quotes), ${OPERATIONS} sequential requests each, ${cpus().length} cores.`;
    process.stdout.write(`${context}\n\n${table}\n`);
    if (process.env.BENCH_WRITE_README !== 'false') {
      await writeReadmeSection('bench-gateway', `${context}\n\n${table}`);
    }
  } finally {
    await client.close();
    await gateway.connection.dropDatabase().catch(() => undefined);
    await gateway.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
