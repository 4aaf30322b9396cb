import { cpus } from 'node:os';
import { join } from 'node:path';

import { MongoClient, ObjectId } from 'mongodb';

// The measuring and README-writing helpers are the repository's, shared with the gateway's bench.
import { markdownTable, measure } from '../../../bench/measure';
import { writeReadmeSection } from '../../../bench/readme-section';
import { startEmbeddedServer } from '../src';

const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 20000);
const OPERATIONS = Number(process.env.BENCH_OPERATIONS ?? 3000);
const README = join(__dirname, '..', 'README.md');

/** MONGODB_URI when set (to compare with a real mongod), else an embedded server of its own. */
async function startDatabase(): Promise<{ kind: string; uri: string; stop(): Promise<void> }> {
  const uri = process.env.MONGODB_URI;
  if (uri) return { kind: 'MONGODB_URI', uri, stop: async () => undefined };
  const server = await startEmbeddedServer();
  return { kind: 'embedded', uri: server.uri, stop: () => server.close() };
}

/**
 * `npm run bench:db`: driver round trips against the embedded server (or MONGODB_URI). The baseline is a `ping` over the same connection in the same run, so the
 * ratios show what each operation costs beyond the protocol and the driver.
 */
async function main(): Promise<void> {
  const database = await startDatabase();
  const client = await new MongoClient(database.uri).connect();
  try {
    const db = client.db(`bench_${Date.now()}`);
    const customers = db.collection('customers');
    await customers.createIndex({ email: 1 }, { unique: true });
    await customers.createIndex({ brand: 1, accountId: 1 }, { unique: true });

    const ids: ObjectId[] = [];
    const documentFor = (i: number) => ({
      _id: new ObjectId(),
      email: `customer${i}@example.com`,
      brand: i % 2 === 0 ? 'WAITROSE' : 'JOHN_LEWIS',
      accountId: `acc-${i}`,
      name: { first: 'Ada', last: `Customer ${i}` },
      visits: 0,
    });
    for (let i = 0; i < DOCUMENTS; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, DOCUMENTS - i) }, (_, j) =>
        documentFor(i + j),
      );
      ids.push(...batch.map((document) => document._id));
      await customers.insertMany(batch);
    }

    const baseline = await measure('ping (baseline)', OPERATIONS, () => db.command({ ping: 1 }));
    const pick = (i: number) => (i * 7919) % DOCUMENTS;
    const rows = [
      await measure('insertOne', OPERATIONS, (i) =>
        customers.insertOne(documentFor(DOCUMENTS + i)),
      ),
      await measure('find by _id', OPERATIONS, (i) => customers.findOne({ _id: ids[pick(i)] })),
      await measure('find by unique email', OPERATIONS, (i) =>
        customers.findOne({ email: `customer${pick(i)}@example.com` }),
      ),
      await measure('find by compound index', OPERATIONS, (i) =>
        customers.findOne({
          brand: pick(i) % 2 === 0 ? 'WAITROSE' : 'JOHN_LEWIS',
          accountId: `acc-${pick(i)}`,
        }),
      ),
      await measure('find by compound-index prefix', OPERATIONS, (i) =>
        customers
          .find({ brand: pick(i) % 2 === 0 ? 'WAITROSE' : 'JOHN_LEWIS' })
          .limit(1)
          .toArray(),
      ),
      await measure('find by unindexed field (full scan)', Math.ceil(OPERATIONS / 20), (i) =>
        customers.findOne({ 'name.last': `Customer ${pick(i)}` }),
      ),
      await measure('updateOne $inc by _id', OPERATIONS, (i) =>
        customers.updateOne({ _id: ids[pick(i)] }, { $inc: { visits: 1 } }),
      ),
    ];
    const table = markdownTable(baseline, rows);
    const context =
      `Measured by \`npm run bench:db\` on ${new Date().toISOString().slice(0, 10)}: provider ` +
      `\`${database.kind}\`, ${DOCUMENTS} documents, ${OPERATIONS} sequential operations each, ` +
      `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}).`;
    process.stdout.write(`${context}\n\n${table}\n`);
    if (process.env.BENCH_WRITE_README !== 'false') {
      await writeReadmeSection('bench-db', `${context}\n\n${table}`, README);
    }
  } finally {
    await client.close();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
