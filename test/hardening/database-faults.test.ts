import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { MongoClient } from 'mongodb';

import { Brand } from '../../src/modules/customers/brand';
// The package's own helper: the server as a separate process that a test can kill and restart.
import {
  startEmbeddedProcess,
  type EmbeddedProcess,
} from '../../packages/embedded-mongo/test/support/embedded-process';
import { accountInput, UPSERT_BRAND_ACCOUNT } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, staffToken } from '../support/tokens';

const TIMEOUT_MS = 1500;
const WRITERS = 4;
const SOME_ID = '0123456789abcdef01234567';

interface Outcome {
  accountId: string;
  ok: boolean;
  code?: unknown;
}

/** Resolves once `check` holds, asking again after each answer (a condition, not a delay). */
async function until(check: () => Promise<boolean>, what: string, limitMs = 120_000) {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('database faults', () => {
  let dataDir: string;
  let database: EmbeddedProcess;
  let test: TestGateway;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'faults-'));
    database = await startEmbeddedProcess(dataDir);
    test = await startTestGateway('faults', {
      env: { MONGODB_URI: database.uri, MONGODB_TIMEOUT_MS: String(TIMEOUT_MS) },
    });
  }, 180_000);

  afterAll(async () => {
    await test?.stop();
    await database?.stop('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers SERVICE_UNAVAILABLE while the database is down, resumes after, and loses nothing', async () => {
    const token = await brandToken(Brand.WAITROSE);
    const outcomes: Outcome[] = [];
    let writing = true;
    const writer = async () => {
      while (writing) {
        const input = accountInput({ brand: Brand.WAITROSE });
        const response = await test.client.request(UPSERT_BRAND_ACCOUNT, { input }, { token });
        const ok = response.status === 200 && !response.body.errors;
        outcomes.push({
          accountId: input.accountId,
          ok,
          code: response.body.errors?.[0]?.extensions?.code,
        });
      }
    };
    const writers = Array.from({ length: WRITERS }, writer);
    try {
      await until(async () => outcomes.filter((each) => each.ok).length >= 10, 'ten writes');
      const port = Number(new URL(database.uri).port);
      await database.stop('SIGKILL');

      const ready = await fetch(`${test.baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      const started = Date.now();
      const read = await test.client.request(
        'query ($id: ID!) { customer(id: $id) { id } }',
        { id: SOME_ID },
        { token: await staffToken() },
      );
      // Bounded by the configured timeout (generously: this machine is shared), never a hang.
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 10);
      expect(read.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      await until(
        async () => outcomes.some((each) => each.code === 'SERVICE_UNAVAILABLE'),
        'a write refused while down',
      );
      const refusedWhileDown = outcomes.filter((each) => !each.ok);
      expect(refusedWhileDown.filter((each) => each.code !== 'SERVICE_UNAVAILABLE')).toEqual([]);

      database = await startEmbeddedProcess(dataDir, port);
      await until(
        async () => (await fetch(`${test.baseUrl}/readyz`)).status === 200,
        'ready again',
      );
      const afterReturn = outcomes.length;
      await until(
        async () => outcomes.slice(afterReturn).filter((each) => each.ok).length >= 5,
        'five writes after the return',
      );
    } finally {
      writing = false;
      await Promise.all(writers);
    }

    const client = await new MongoClient(database.uri).connect();
    try {
      const db = client.db(test.gateway.connection.name);
      const accounts = await db
        .collection('brandAccounts')
        .find({ accountId: { $in: outcomes.map((each) => each.accountId) } })
        .toArray();
      const stored = new Set(accounts.map((account) => account.accountId as string));
      const lost = outcomes.filter((each) => each.ok && !stored.has(each.accountId));
      expect(lost).toEqual([]);
      // A write that failed is all there or not there at all: never an account without its customer.
      const customerIds = accounts.map((account) => account.customerId);
      const customers = await db
        .collection('customers')
        .countDocuments({ _id: { $in: customerIds } });
      expect(customers).toBe(new Set(customerIds.map(String)).size);
    } finally {
      await client.close();
    }
  }, 300_000);
});
