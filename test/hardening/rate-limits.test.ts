import { Writable } from 'node:stream';

import { type Collection, type CommandStartedEvent } from 'mongodb';

import { RATE_LIMIT_COLLECTION } from '../../src/http/rate-limit';
import { createLogger } from '../../src/logger';
import { Brand } from '../../src/modules/customers/brand';
import { seed } from '../support/builders';
import { type GraphQLResponse } from '../support/client';
import { uniqueDatabaseName } from '../support/database';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { rawHs256Token, tokenFor } from '../support/tokens';

const ME = '{ me { id } }';
const TYPENAME = '{ __typename }';

/** Small limits, a window no test run outlasts: the window starts at a caller's first request. */
const LIMITS = {
  RATE_LIMIT_WINDOW_SECONDS: '3600',
  RATE_LIMIT_ANONYMOUS: '3',
  RATE_LIMIT_CUSTOMER: '4',
  RATE_LIMIT_BRAND: '10',
  RATE_LIMIT_STAFF: '5',
  RATE_LIMIT_MARKETING: '5',
  // Every request counted in the database before it is served: the exact mode.
  RATE_LIMIT_SYNC_MS: '0',
};

function describeResponse(response: GraphQLResponse<unknown>): string {
  return `status ${response.status}: ${JSON.stringify(response.body)}`;
}

/** Fails, printing the response, unless it was served (HTTP 200, no RATE_LIMITED). */
function expectServed(response: GraphQLResponse<unknown>) {
  const limited = response.status === 429 || JSON.stringify(response.body).includes('RATE_LIMITED');
  if (limited) throw new Error(`expected the request to be served\n${describeResponse(response)}`);
}

/** Fails, printing the response, unless it was refused as RATE_LIMITED with 429 and Retry-After. */
function expectLimited(response: GraphQLResponse<unknown>, limit: number) {
  const [error] = response.body.errors ?? [];
  const retryAfter = Number(response.headers.get('retry-after'));
  const ok =
    response.status === 429 &&
    response.body.errors?.length === 1 &&
    error.extensions?.code === 'RATE_LIMITED' &&
    error.extensions?.retryAfter === retryAfter &&
    retryAfter >= 1 &&
    retryAfter <= 3600 &&
    error.message.includes(`at most ${limit} in 3600 s`);
  if (!ok) throw new Error(`expected RATE_LIMITED (429)\n${describeResponse(response)}`);
}

describe('rate limits shared by two gateway instances on one database, counted exactly', () => {
  let first: TestGateway;
  let second: TestGateway;

  beforeAll(async () => {
    const env = { ...LIMITS, MONGODB_DATABASE: uniqueDatabaseName('rate_limits') };
    first = await startTestGateway('rate_limits', { env });
    second = await startTestGateway('rate_limits', { env });
  });
  afterAll(async () => {
    await second.gateway.stop();
    await first.stop();
  });

  it('counts a customer across both instances, then answers 429 with Retry-After', async () => {
    const customer = await seed(first.client).customer().withJohnLewisAccount().create();
    const token = await tokenFor({ role: 'customer', sub: customer.id });
    for (const test of [first, second, first, second]) {
      expectServed(await test.client.request(ME, {}, { token }));
    }
    expectLimited(await first.client.request(ME, {}, { token }), 4);
    expectLimited(await second.client.request(ME, {}, { token }), 4);
  });

  it('keeps one count per token subject: another customer is still served', async () => {
    const [one, other] = await Promise.all([
      seed(first.client).customer().withWaitroseAccount().create(),
      seed(first.client).customer().withWaitroseAccount().create(),
    ]);
    const token = await tokenFor({ role: 'customer', sub: one.id });
    for (let sent = 0; sent < 4; sent += 1) {
      expectServed(await second.client.request(ME, {}, { token }));
    }
    expectLimited(await second.client.request(ME, {}, { token }), 4);
    const otherToken = await tokenFor({ role: 'customer', sub: other.id });
    expectServed(await first.client.request(ME, {}, { token: otherToken }));
  });

  it("gives a brand backend its role's larger limit", async () => {
    // A subject of its own: the data builders report accounts with the usual brand tokens.
    const token = await tokenFor({
      role: 'brand',
      sub: 'rate-test-backend',
      brand: Brand.JOHN_LEWIS,
    });
    for (let sent = 0; sent < 10; sent += 1) {
      const test = sent % 2 === 0 ? first : second;
      expectServed(await test.client.request(TYPENAME, {}, { token }));
    }
    expectLimited(await first.client.request(TYPENAME, {}, { token }), 10);
  });

  it('counts anonymous calls and bad tokens by client address, and never /healthz or /readyz', async () => {
    for (let probe = 0; probe < 10; probe += 1) {
      const test = probe % 2 === 0 ? first : second;
      expect((await fetch(`${test.baseUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${test.baseUrl}/readyz`)).status).toBe(200);
    }
    expectServed(await first.client.request(TYPENAME));
    expectServed(await second.client.request(TYPENAME));
    const forged = await rawHs256Token({ role: 'staff', sub: 'x' }, { secret: 'n'.repeat(40) });
    const badToken = await first.client.request(TYPENAME, {}, { token: forged });
    expect(badToken.status).toBe(401);
    expectLimited(await second.client.request(TYPENAME), 3);
    expectLimited(await first.client.request(TYPENAME, {}, { token: forged }), 3);
  });

  it('keeps counters in a TTL collection keyed by caller', async () => {
    const indexes = await first.gateway.connection
      .getClient()
      .db(first.gateway.connection.name)
      .collection(RATE_LIMIT_COLLECTION)
      .indexes();
    expect(indexes).toContainEqual(
      expect.objectContaining({ key: { resetAt: 1 }, expireAfterSeconds: 0 }),
    );
  });
});

/** Resolves once `check` holds, asking again after each answer (a condition, not a delay). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('rate limits shared in the background by two gateway instances', () => {
  const LIMIT = 6;
  let first: TestGateway;
  let second: TestGateway;
  let counters: Collection<{ _id: string; count: number }>;

  beforeAll(async () => {
    const env = {
      ...LIMITS,
      RATE_LIMIT_CUSTOMER: String(LIMIT),
      RATE_LIMIT_SYNC_MS: '50',
      // A count that misses the fail-open timeout is lost by design (a-counting-failure below):
      // on a machine busy with the whole suite, 500 ms could pass, so here it may not.
      RATE_LIMIT_TIMEOUT_MS: '20000',
      MONGODB_DATABASE: uniqueDatabaseName('rate_limits_shared'),
    };
    first = await startTestGateway('rate_limits_shared', { env });
    second = await startTestGateway('rate_limits_shared', { env });
    counters = first.gateway.connection
      .getClient()
      .db(first.gateway.connection.name)
      .collection(RATE_LIMIT_COLLECTION);
  });
  afterAll(async () => {
    await second.gateway.stop();
    await first.stop();
  });

  it('refuses on one instance what the caller used up on the other, once their counts are shared', async () => {
    const customer = await seed(first.client).customer().withJohnLewisAccount().create();
    const token = await tokenFor({ role: 'customer', sub: customer.id });
    const key = `customer:${customer.id}`;
    for (let sent = 0; sent < LIMIT; sent += 1) {
      expectServed(await first.client.request(ME, {}, { token }));
    }
    // The first instance adds what it let through to the shared count by itself.
    await until(async () => (await counters.findOne({ _id: key }))?.count === LIMIT, 'shared');
    // The second has never seen this caller: it counts its first request in the database.
    expectLimited(await second.client.request(ME, {}, { token }), LIMIT);
    // The first knows its own count is used up, without asking the database.
    expectLimited(await first.client.request(ME, {}, { token }), LIMIT);
  });

  it('counts a busy caller with one write and one read per interval, not one per request', async () => {
    // An interval longer than the test: the counts are shared only when the instance stops.
    const lazy = await startTestGateway('rate_limits_shared', {
      env: {
        ...LIMITS,
        RATE_LIMIT_CUSTOMER: '100',
        RATE_LIMIT_SYNC_MS: '600000',
        RATE_LIMIT_TIMEOUT_MS: '20000',
        MONGODB_DATABASE: first.gateway.connection.name,
      },
      monitorCommands: true,
    });
    const customer = await seed(first.client).customer().withWaitroseAccount().create();
    const token = await tokenFor({ role: 'customer', sub: customer.id });
    const commands: string[] = [];
    const client = lazy.gateway.connection.getClient();
    client.on('commandStarted', (event: CommandStartedEvent) => {
      if (event.command[event.commandName] === RATE_LIMIT_COLLECTION) {
        commands.push(event.commandName);
      }
    });
    try {
      expectServed(await lazy.client.request(ME, {}, { token }));
      const burst = await Promise.all(
        Array.from({ length: 30 }, () => lazy.client.request(ME, {}, { token })),
      );
      burst.forEach(expectServed);
      // The first request was counted before it was served; the burst only in memory.
      expect(commands).toEqual(['findAndModify']);
    } finally {
      await lazy.gateway.stop();
    }
    // Stopping shares what was not yet shared: one write and one read for every caller.
    expect(commands).toEqual(['findAndModify', 'update', 'find']);
    expect((await counters.findOne({ _id: `customer:${customer.id}` }))?.count).toBe(31);
  });
});

describe('a counting failure', () => {
  let test: TestGateway;
  const logged: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString());
        done();
      },
    });
    test = await startTestGateway('rate_limit_fault', {
      env: { ...LIMITS, RATE_LIMIT_STAFF: '1' },
      logger: createLogger('warn', sink),
    });
  });
  afterAll(() => test.stop());

  it('lets the request through (fail open) and logs it', async () => {
    const token = await tokenFor({ role: 'staff', sub: 'counter-broken' });
    // A counter the update cannot add to, as a bad migration might leave: every count fails.
    await test.gateway.connection
      .getClient()
      .db(test.gateway.connection.name)
      .collection<{ _id: string; count: string; resetAt: Date }>(RATE_LIMIT_COLLECTION)
      .insertOne({
        _id: 'staff:counter-broken',
        count: 'many',
        resetAt: new Date(Date.now() + 3.6e6),
      });
    for (let sent = 0; sent < 3; sent += 1) {
      expectServed(await test.client.request(TYPENAME, {}, { token }));
    }
    const warnings = logged.filter((line) => line.includes('rate limit not counted'));
    expect(warnings).toHaveLength(3);
    expect(JSON.parse(warnings[0])).toMatchObject({ callerKind: 'staff', level: 40 });
  });
});
