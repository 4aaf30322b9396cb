import 'reflect-metadata';

import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { type MongoClient } from 'mongodb';

import { signDevelopmentToken } from '../src/auth/tokens';
import { openConnection } from '../src/db/connection';
import { createModels, ensureIndexes } from '../src/db/models';
import { Brand } from '../src/modules/customers/brand';
import { ConsentState } from '../src/modules/preferences/preference.enums';
import { ensureConsentFeed } from '../src/modules/preferences/preference.service';
import { loadDemoData, startOfToday } from '../src/seed/load';
import { imageNodeFlags } from './image';
import { type LoadJob, type LoadResult } from './load';
import { writeReadmeSection } from './readme-section';
import {
  CRM_LIST,
  CRM_LIST_SIZE,
  graphqlBody,
  MY_ACCOUNT,
  PREFERENCE_CHANGE,
  SCENARIOS,
  SEND_TIME_CHECK,
  type BenchRequest,
  type Scenario,
  type ServerReady,
  type ServerReport,
} from './scenarios';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Math.max(1, Math.min(3, Math.round(SECONDS / 3)));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const CRM_LISTS = 20;
const SETTLE_MS = 500;
/** BENCH_SCENARIOS=myAccount,crmList runs only those; BENCH_PROFILE=gateway profiles a server. */
const ONLY = process.env.BENCH_SCENARIOS?.split(',').map((name) => name.trim());
const PROFILED = new Set(process.env.BENCH_PROFILE?.split(',').map((name) => name.trim()));
const PROFILES = join(__dirname, 'results', 'profiles');
/** Reference answers are fetched a few at a time: a burst would inflate the gateway's peak RSS. */
const REFERENCE_CONCURRENCY = 4;

const ROOT = join(__dirname, '..');
/** Compiled output of src and bench: every server runs as node runs the shipped gateway. */
const BUILT = join(ROOT, 'dist');
const SERVERS = ['gateway', 'naive', 'floor'] as const;
type ServerName = (typeof SERVERS)[number];

/** What the reference answers are checked against the data for. */
interface ReferenceData {
  me?: { id: string; quotes: { totalCount: number } };
  customers?: { id: string; quotes: { totalCount: number } }[];
  contactPermission?: { allowed: boolean };
}

interface Figures extends LoadResult {
  commandsPerRequest: number;
}

function forkReady<T>(
  script: string,
  env: NodeJS.ProcessEnv,
  execArgv: string[] = [],
): Promise<[ChildProcess, T]> {
  const child = fork(join(BUILT, 'bench', script), [], {
    env,
    // Plain node, whatever runs this script (ts-node's hooks would otherwise be inherited).
    execArgv,
    // The gateway logs a line per request as shipped; the bench does not read them.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve([child, message as T]));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} at start-up`)));
  });
}

async function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  const answer = once(child, 'message');
  child.send(message as never);
  return (await answer)[0] as T;
}

/**
 * Commands the database has served, from its `serverStatus.metrics.commands`: the servers under
 * test run as shipped, without the driver's command events. Only one server is sent requests
 * at a time, so what the count grows by is that server's. The handshake and monitoring family
 * (every client's heartbeats, and these readings themselves) is not a request's work.
 */
function commandCounter(client: MongoClient): () => Promise<number> {
  const upkeep = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'serverStatus', 'endSessions']);
  return async () => {
    const status = await client.db('admin').command({ serverStatus: 1 });
    const commands = (status.metrics?.commands ?? {}) as Record<string, { total?: unknown }>;
    let served = 0;
    for (const [name, counts] of Object.entries(commands)) {
      if (!upkeep.has(name)) served += Number(counts.total ?? 0);
    }
    return served;
  };
}

/**
 * The command count once the server has finished what it was doing: requests cut off at the
 * end of a load phase are still answered by the server, and their commands must not be counted
 * against what comes next.
 */
async function settledCommands(commandsServed: () => Promise<number>): Promise<number> {
  let last = await commandsServed();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const now = await commandsServed();
    if (now === last) return now;
    last = now;
  }
}

/** At most `limit` of `work` at a time, results in order. */
async function inBatches<T, R>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
) {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += limit) {
    const batch = items.slice(start, start + limit);
    results.push(...(await Promise.all(batch.map((item, i) => work(item, start + i)))));
  }
  return results;
}

/**
 * Warm-up, then the measured phase, at a fixed number of connections. The server finishes the
 * warm-up's requests before the measured phase starts, so that phase carries only its own load
 * (a slow server would otherwise start it with twice the connections' requests in hand). A server
 * that answered fewer requests in the warm-up than there are connections would answer none
 * inside the window: its measured phase runs until two answers per connection instead.
 *
 * Commands per request are the database's count over the measured phase, once the server has
 * finished every request of it, divided by the requests sent: what a request costs in steady
 * state, work done in the background for many requests (the rate limit's sharing) included.
 */
async function underLoad(
  loader: ChildProcess,
  url: string,
  requests: BenchRequest[],
  commandsServed: () => Promise<number>,
): Promise<Figures> {
  const phase = { url, requests, connections: CONNECTIONS };
  const warm = await ask<LoadResult>(loader, { ...phase, seconds: WARMUP_SECONDS });
  const before = await settledCommands(commandsServed);
  const measured = await ask<LoadResult>(loader, {
    ...phase,
    seconds: SECONDS,
    answers: warm.answers < CONNECTIONS ? 2 * CONNECTIONS : undefined,
  } satisfies LoadJob);
  const after = await settledCommands(commandsServed);
  return {
    ...measured,
    errors: warm.errors + measured.errors,
    firstError: warm.firstError ?? measured.firstError,
    commandsPerRequest: Math.round((10 * (after - before)) / measured.sent) / 10,
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.disconnect();
  await exited;
}

/**
 * `npm run bench`: the four scenarios against the gateway as shipped, the naive peer, the floor
 * and the transport floor, each in its own process, over the same database and demo data; load
 * comes from one more process. Writes bench/results/latest.json and the README's table.
 */
async function main(): Promise<void> {
  process.stdout.write('building with tsc…\n');
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.bench.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const children: ChildProcess[] = [];
  const closers: (() => Promise<void>)[] = [];
  try {
    const [database, db] = await forkReady<{ uri: string; kind: string }>('database.js', {
      ...process.env,
    });
    children.push(database);
    const databaseName = `bench_${Date.now()}`;
    const secret = randomBytes(32).toString('hex');
    const env = {
      ...process.env,
      NODE_ENV: 'production',
      MONGODB_URI: db.uri,
      MONGODB_DATABASE: databaseName,
      AUTH_JWT_SECRET: secret,
      UNSUBSCRIBE_SECRET: randomBytes(32).toString('hex'),
      PUBLIC_URL: 'http://127.0.0.1',
      HOST: '127.0.0.1',
      PORT: '0',
    };

    const connection = await openConnection(db.uri, databaseName, { timeoutMs: 10_000 });
    const models = createModels(connection);
    await ensureIndexes(models);
    await ensureConsentFeed(models);
    const seeded = await loadDemoData(connection, models, { today: startOfToday(new Date()) });
    const customerIds = (
      await models.Customer.find().sort({ _id: 1 }).select({ _id: 1 }).lean()
    ).map((customer) => customer._id.toHexString());
    const quoteCounts = new Map(
      (
        await models.Quote.aggregate<{ _id: unknown; count: number }>([
          { $group: { _id: '$customerId', count: { $sum: 1 } } },
        ])
      ).map((row) => [String(row._id), row.count]),
    );
    const smsNow = new Map(
      (await models.BrandPreference.find({ brand: Brand.JOHN_LEWIS }).lean()).map((record) => [
        record.customerId.toHexString(),
        (record.consents as Record<string, { state: ConsentState }>).SMS?.state ===
          ConsentState.GRANTED,
      ]),
    );
    // Kept open to read the database's command counts; closed with everything else.
    const commandsServed = commandCounter(connection.getClient());
    closers.push(() => connection.close());

    const staff = await signDevelopmentToken(secret, { role: 'staff', sub: 'bench-crm' });
    const marketing = await signDevelopmentToken(secret, { role: 'marketing', sub: 'bench' });
    const customerTokens = await Promise.all(
      customerIds.map((sub) => signDevelopmentToken(secret, { role: 'customer', sub })),
    );

    const servers = {} as Record<ServerName, { child: ChildProcess; url: string }>;
    for (const name of SERVERS) {
      // A CPU profile of the whole run, written when the server exits, for bench/profile.ts.
      const profile = PROFILED.has(name)
        ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`, `--cpu-prof-name=${name}.cpuprofile`]
        : [];
      // The gateway runs with the node flags of its image; the peers with plain node.
      const flags = name === 'gateway' ? imageNodeFlags(ROOT) : [];
      const [child, ready] = await forkReady<ServerReady>(join('servers', `${name}.js`), env, [
        ...flags,
        ...profile,
      ]);
      children.push(child);
      servers[name] = { child, url: `http://127.0.0.1:${ready.port}/graphql` };
    }
    const [loader] = [
      fork(join(BUILT, 'bench', 'load.js'), [], { execArgv: [], stdio: 'inherit' }),
    ];
    children.push(loader);

    // Each read request's answer, as the gateway gives it, checked against the data itself;
    // every server must then give the same answer under load.
    async function reference(
      request: Omit<BenchRequest, 'expected'>,
      check: (data: ReferenceData) => boolean,
    ) {
      const response = await fetch(servers.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${request.token}` },
        body: request.body,
      });
      const text = await response.text();
      const answer = JSON.parse(text);
      if (response.status !== 200 || answer.errors || !check(answer.data)) {
        throw new Error(`the gateway's reference answer is wrong: ${text.slice(0, 500)}`);
      }
      return { ...request, expected: text };
    }

    const pools: Record<Scenario, BenchRequest[]> = {
      myAccount: await inBatches(customerIds, REFERENCE_CONCURRENCY, (id, index) =>
        reference(
          { body: graphqlBody(MY_ACCOUNT, 'MyAccount'), token: customerTokens[index] },
          (data) => data.me?.id === id && data.me.quotes.totalCount === (quoteCounts.get(id) ?? 0),
        ),
      ),
      crmList: await inBatches(
        Array.from({ length: CRM_LISTS }, (_, list) => list),
        REFERENCE_CONCURRENCY,
        (list) => {
          const ids = Array.from(
            { length: CRM_LIST_SIZE },
            (_, index) => customerIds[(list * 13 + index) % customerIds.length],
          );
          return reference(
            { body: graphqlBody(CRM_LIST, 'CrmList', { ids }), token: staff },
            (data) =>
              (data.customers ?? []).every(
                (customer, index) =>
                  customer.id === ids[index] &&
                  customer.quotes.totalCount === (quoteCounts.get(ids[index]) ?? 0),
              ),
          );
        },
      ),
      sendTimeCheck: await inBatches(customerIds, REFERENCE_CONCURRENCY, (customerId) =>
        reference(
          {
            body: graphqlBody(SEND_TIME_CHECK, 'SendTimeCheck', { customerId }),
            token: marketing,
          },
          (data) => typeof data.contactPermission?.allowed === 'boolean',
        ),
      ),
      preferenceChange: customerIds.map((id, index) => ({
        body: graphqlBody(PREFERENCE_CHANGE, 'PreferenceChange', { sms: false }),
        token: customerTokens[index],
        sms: smsNow.get(id) ?? false,
      })),
    };

    const results = {} as Record<Scenario, Record<ServerName, Figures>>;
    const transportFloorRps = {} as Record<Scenario, number>;
    const problems: string[] = [];
    const scenariosRun = SCENARIOS.filter((scenario) => !ONLY || ONLY.includes(scenario));
    for (const scenario of scenariosRun) {
      results[scenario] = {} as Record<ServerName, Figures>;
      const requests = pools[scenario];
      for (const name of SERVERS) {
        const { url } = servers[name];
        const figures = await underLoad(loader, url, requests, commandsServed);
        results[scenario][name] = figures;
        if (figures.errors > 0) problems.push(`${scenario} on ${name}: ${figures.firstError}`);
        process.stdout.write(
          `${scenario.padEnd(16)} ${name.padEnd(8)} ${String(figures.rps).padStart(6)} req/s  ` +
            `p50 ${figures.p50Ms} ms  p99 ${figures.p99Ms} ms  ` +
            `${figures.commandsPerRequest} commands/request  ${figures.errors} errors\n`,
        );
      }
      // The transport floor answers every request with the first request's bytes, so it is
      // sent only that request.
      const first = requests[0];
      const expected = first.expected ?? (await sampleMutationAnswer(first, servers.gateway.url));
      const [transport, ready] = await forkReady<ServerReady>(join('servers', 'transport.js'), {
        ...env,
        BENCH_TRANSPORT_ANSWER: expected,
      });
      const figures = await underLoad(
        loader,
        `http://127.0.0.1:${ready.port}/graphql`,
        [{ body: first.body, token: first.token, expected }],
        commandsServed,
      );
      await stopChild(transport);
      transportFloorRps[scenario] = figures.rps;
      if (figures.errors > 0) problems.push(`${scenario} on transport: ${figures.firstError}`);
      process.stdout.write(
        `${scenario.padEnd(16)} transport ${String(figures.rps).padStart(5)} req/s\n`,
      );
    }

    const peakRssMb = {} as Record<ServerName, number>;
    for (const name of SERVERS) {
      peakRssMb[name] = (await ask<ServerReport>(servers[name].child, 'report')).maxRssMb;
    }
    const scenarios = Object.fromEntries(
      scenariosRun.map((scenario) => [
        scenario,
        Object.fromEntries(
          SERVERS.map((name) => {
            const { rps, p50Ms, p97_5Ms, p99Ms, commandsPerRequest, errors } =
              results[scenario][name];
            return [name, { rps, p50Ms, p97_5Ms, p99Ms, commandsPerRequest, errors }];
          }),
        ),
      ]),
    );
    const report = {
      measuredAt: new Date().toISOString(),
      provider: db.kind,
      cores: cpus().length,
      connections: CONNECTIONS,
      seconds: SECONDS,
      data: { customers: seeded.customers, quotes: seeded.quotes },
      scenarios,
      transportFloorRps,
      peakRssMb,
    };
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    const table = readmeTable(report);
    process.stdout.write(`\n${table}\n`);
    if (problems.length > 0) {
      throw new Error(`wrong answers, so the run does not count:\n${problems.join('\n')}`);
    }
    // A partial run is for looking into one scenario: it never replaces the whole run's record.
    if (ONLY) return;
    writeFileSync(
      join(__dirname, 'results', 'latest.json'),
      `${JSON.stringify(report, null, 2)}\n`,
    );
    if (process.env.BENCH_WRITE_README !== 'false')
      await writeReadmeSection('bench-gateway', table);
  } finally {
    for (const close of closers) await close();
    for (const child of children.reverse()) await stopChild(child);
  }
}

/** An answer of the mutation for the transport floor to repeat (the gateway's, to a toggle). */
async function sampleMutationAnswer(request: BenchRequest, url: string): Promise<string> {
  const body = JSON.stringify({ ...JSON.parse(request.body), variables: { sms: !request.sms } });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${request.token}` },
    body,
  });
  return response.text();
}

function ratio(part: number, whole: number): string {
  return whole > 0 ? `${(part / whole).toFixed(2)}×` : '—';
}

/** The README's table: throughput as ratios from this one run, then what each request cost. */
export function readmeTable(report: {
  measuredAt: string;
  provider: string;
  cores: number;
  connections: number;
  seconds: number;
  data: { customers: number; quotes: number };
  scenarios: Record<
    string,
    Record<string, { rps: number; p50Ms: number; p99Ms: number; commandsPerRequest: number }>
  >;
  transportFloorRps: Record<string, number>;
  peakRssMb: Record<string, number>;
}): string {
  const lines = [
    `Measured by \`npm run bench\` on ${report.measuredAt.slice(0, 10)}: provider ` +
      `\`${report.provider}\`, demo data (${report.data.customers} customers, ` +
      `${report.data.quotes} quotes), ${report.connections} connections, ${report.seconds} s ` +
      `measured per server and scenario, ${report.cores} cores. Peak RSS: ` +
      Object.entries(report.peakRssMb)
        .map(([name, mb]) => `${name} ${mb} MB`)
        .join(', ') +
      '.',
    '',
    '| scenario | gateway req/s | gateway ÷ floor | gateway ÷ naive | naive req/s | floor req/s | transport req/s | gateway p50 / p99 ms | commands per request (gateway / naive / floor) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [scenario, servers] of Object.entries(report.scenarios)) {
    const { gateway, naive, floor } = servers;
    lines.push(
      `| ${scenario} | ${gateway.rps} | ${ratio(gateway.rps, floor.rps)} | ` +
        `${ratio(gateway.rps, naive.rps)} | ${naive.rps} | ${floor.rps} | ` +
        `${report.transportFloorRps[scenario]} | ${gateway.p50Ms} / ${gateway.p99Ms} | ` +
        `${gateway.commandsPerRequest} / ${naive.commandsPerRequest} / ${floor.commandsPerRequest} |`,
    );
  }
  return lines.join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
