import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

import { type Collection, type Db, MongoClient, ObjectId } from 'mongodb';

// The measuring and README-writing helpers are the repository's, shared with the gateway's bench.
import { markdownTable, measure } from '../../../bench/measure';
import { writeReadmeSection } from '../../../bench/readme-section';
import { startEmbeddedServer } from '../src';

const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 20000);
const OPERATIONS = Number(process.env.BENCH_OPERATIONS ?? 3000);
/** Another build of the server (a module exporting startEmbeddedServer) to compare this one with. */
const AGAINST = process.env.BENCH_AGAINST;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const README = join(__dirname, '..', 'README.md');

type StartServer = () => Promise<{ uri: string; close(): Promise<void> }>;

/** MONGODB_URI when set (to compare with a real mongod), else an embedded server of its own. */
async function startDatabase(): Promise<{ kind: string; uri: string; stop(): Promise<void> }> {
  const uri = process.env.MONGODB_URI;
  if (uri) return { kind: 'MONGODB_URI', uri, stop: async () => undefined };
  const server = await startEmbeddedServer();
  return { kind: 'embedded', uri: server.uri, stop: () => server.close() };
}

interface Workload {
  db: Db;
  customers: Collection;
  ids: ObjectId[];
}

const brandOf = (i: number) => (i % 2 === 0 ? 'WAITROSE' : 'JOHN_LEWIS');
const documentFor = (i: number, _id = new ObjectId()) => ({
  _id,
  email: `customer${i}@example.com`,
  brand: brandOf(i),
  accountId: `acc-${i}`,
  name: { first: 'Ada', last: `Customer ${i}` },
  visits: 0,
});

/** The same documents and indexes in every database measured: ids are made once and shared. */
async function seed(client: MongoClient, ids: ObjectId[]): Promise<Workload> {
  const db = client.db(`bench_${Date.now()}`);
  const customers = db.collection('customers');
  await customers.createIndex({ email: 1 }, { unique: true });
  await customers.createIndex({ brand: 1, accountId: 1 }, { unique: true });
  for (let i = 0; i < DOCUMENTS; i += 1000) {
    const batch = ids.slice(i, i + 1000).map((id, j) => documentFor(i + j, id));
    await customers.insertMany(batch);
  }
  return { db, customers, ids };
}

const pick = (i: number) => (i * 7919) % DOCUMENTS;

/** Each operation measured, with how many of it a run makes (the full scan is 20 times dearer). */
const OPERATIONS_MEASURED: {
  name: string;
  share: number;
  run(workload: Workload, i: number): Promise<unknown>;
}[] = [
  { name: 'ping (baseline)', share: 1, run: ({ db }) => db.command({ ping: 1 }) },
  {
    name: 'insertOne',
    share: 1,
    run: ({ customers }, i) => customers.insertOne(documentFor(DOCUMENTS + i)),
  },
  {
    name: 'find by _id',
    share: 1,
    run: ({ customers, ids }, i) => customers.findOne({ _id: ids[pick(i)] }),
  },
  {
    name: 'find by unique email',
    share: 1,
    run: ({ customers }, i) => customers.findOne({ email: `customer${pick(i)}@example.com` }),
  },
  {
    name: 'find by compound index',
    share: 1,
    run: ({ customers }, i) =>
      customers.findOne({ brand: brandOf(pick(i)), accountId: `acc-${pick(i)}` }),
  },
  {
    name: 'find by compound-index prefix',
    share: 1,
    run: ({ customers }, i) =>
      customers
        .find({ brand: brandOf(pick(i)) })
        .limit(1)
        .toArray(),
  },
  {
    name: 'find by unindexed field (full scan)',
    share: 1 / 20,
    run: ({ customers }, i) => customers.findOne({ 'name.last': `Customer ${pick(i)}` }),
  },
  {
    name: 'updateOne $inc by _id',
    share: 1,
    run: ({ customers, ids }, i) =>
      customers.updateOne({ _id: ids[pick(i)] }, { $inc: { visits: 1 } }),
  },
];

/**
 * `npm run bench:db`: driver round trips against the embedded server (or MONGODB_URI). The
 * baseline is a `ping` over the same connection in the same run, so the ratios show what each
 * operation costs beyond the protocol and the driver.
 */
async function measureOne(): Promise<void> {
  const database = await startDatabase();
  const client = await new MongoClient(database.uri).connect();
  try {
    const ids = Array.from({ length: DOCUMENTS }, () => new ObjectId());
    const workload = await seed(client, ids);
    const measured = [];
    for (const operation of OPERATIONS_MEASURED) {
      measured.push(
        await measure(operation.name, Math.ceil(OPERATIONS * operation.share), (i) =>
          operation.run(workload, i),
        ),
      );
    }
    const table = markdownTable(measured[0], measured.slice(1));
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * `BENCH_AGAINST=<module> npm run bench:db`: this server against another build of it (another
 * checkout's server module), both in this process over the same documents. Each operation is
 * sent to one and then the other in turn, the order swapping every time, so whatever slows the
 * machine down slows both alike. Per round, each side's p50 is divided by its own ping's p50;
 * the table gives the median over the rounds of this side's ratio over the other's.
 */
async function compare(against: string): Promise<void> {
  const other = (await import(resolve(against))) as { startEmbeddedServer: StartServer };
  const servers = [await startEmbeddedServer(), await other.startEmbeddedServer()];
  const clients = await Promise.all(servers.map((server) => new MongoClient(server.uri).connect()));
  try {
    const ids = Array.from({ length: DOCUMENTS }, () => new ObjectId());
    const workloads = await Promise.all(clients.map((client) => seed(client, ids)));
    /** Per operation, per round, each side's p50 in milliseconds. */
    const p50s = OPERATIONS_MEASURED.map(() => [[], []] as number[][]);
    let next = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const [index, operation] of OPERATIONS_MEASURED.entries()) {
        const count = Math.ceil(OPERATIONS * operation.share);
        const warmup = Math.min(200, count);
        const latencies: number[][] = [[], []];
        for (let i = 0; i < warmup + count; i++) {
          const n = next++;
          const order = n % 2 === 0 ? [0, 1] : [1, 0];
          for (const side of order) {
            const started = performance.now();
            await operation.run(workloads[side], n);
            if (i >= warmup) latencies[side].push(performance.now() - started);
          }
        }
        for (const side of [0, 1]) p50s[index][side].push(median(latencies[side]));
      }
    }
    const lines = [
      `Compared by \`BENCH_AGAINST=${against} npm run bench:db\` on ` +
        `${new Date().toISOString().slice(0, 10)}: ${DOCUMENTS} documents, ${ROUNDS} rounds of ` +
        `${OPERATIONS} operations each, sent to this server and the other in turn, ` +
        `${cpus().length} cores.`,
      '',
      '| operation | p50 ms, this | p50 ms, other | this ÷ other (÷ own ping), median | range over rounds |',
      '| --- | ---: | ---: | ---: | ---: |',
    ];
    const [pingThis, pingOther] = p50s[0];
    for (const [index, operation] of OPERATIONS_MEASURED.entries()) {
      const [mine, theirs] = p50s[index];
      const ratios = mine.map(
        (p50, round) => p50 / pingThis[round] / (theirs[round] / pingOther[round]),
      );
      const ratio = index === 0 ? '1.00 (baseline)' : `${median(ratios).toFixed(3)}×`;
      const range =
        index === 0 ? '' : `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`;
      lines.push(
        `| ${operation.name} | ${median(mine).toFixed(3)} | ${median(theirs).toFixed(3)} | ` +
          `${ratio} | ${range} |`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    for (const server of servers) await server.close();
  }
}

(AGAINST ? compare(AGAINST) : measureOne()).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
