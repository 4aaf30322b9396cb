import { Writable } from 'node:stream';

import { ObjectId } from 'mongodb';

import { createLogger } from '../../src/logger';
import { Brand } from '../../src/modules/customers/brand';
import { accountInput, seed, UPSERT_BRAND_ACCOUNT, uniqueEmail } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, staffToken, tokenFor } from '../support/tokens';

/** Every line the gateway logs during this file's run, at debug level. */
const logLines: string[] = [];
/** Every email, name, address and token this file sent: none may reach the log. */
const personalData = new Set<string>();

const PROFILE = `query Profile($id: ID!) {
  customer(id: $id) { id email name { firstName lastName } postalAddress { line1 town postcode } }
}`;

function remember(input: Record<string, unknown>): void {
  const walk = (value: unknown): void => {
    if (typeof value === 'string' && value.length > 3) personalData.add(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk({ email: input.email, name: input.name, postalAddress: input.postalAddress });
}

describe('errors that help and logs that leak nothing', () => {
  let test: TestGateway;
  let staff: string;

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    test = await startTestGateway('errors_logs', { logger: createLogger('debug', destination) });
    staff = await staffToken();
    personalData.add(staff);
  });

  afterAll(async () => {
    await test.stop();
    // The whole file's log, searched for everything personal the tests sent.
    const log = logLines.join('\n');
    const leaked = [...personalData].filter((value) => log.includes(value));
    expect(leaked).toEqual([]);
  });

  it('logs every request once, with id, operation, caller, status, duration and outcome', async () => {
    const input = accountInput({
      brand: Brand.WAITROSE,
      name: { title: 'Dr', firstName: 'Grace', lastName: 'Hopper' },
      postalAddress: { line1: '7 Harbour Row', town: 'Bristol', postcode: 'BS1 4DJ' },
    });
    remember(input);
    const token = await brandToken(Brand.WAITROSE);
    personalData.add(token);
    const response = await test.client.request(UPSERT_BRAND_ACCOUNT, { input }, { token });
    expect(response.body.errors).toBeUndefined();
    const requestId = response.headers.get('x-request-id');

    const line = logLines
      .map((each) => JSON.parse(each) as Record<string, unknown>)
      .find((entry) => entry.requestId === requestId && entry.msg === 'request');
    expect(line).toMatchObject({
      operationName: 'Upsert',
      role: 'brand',
      subject: 'waitrose-backend',
      status: 200,
      outcome: 'ok',
      durationMs: expect.any(Number),
    });
  });

  it('keeps the code of an expected error and logs it as the outcome', async () => {
    const built = await seed(test.client).customer().withJohnLewisAccount().create();
    personalData.add(built.email);
    const customer = await tokenFor({ role: 'customer', sub: built.id });
    personalData.add(customer);
    const response = await test.client.request(PROFILE, { id: built.id }, { token: customer });
    expect(response.body.errors?.[0].extensions).toEqual({ code: 'FORBIDDEN' });
    const requestId = response.headers.get('x-request-id');
    expect(logLines.some((line) => line.includes(requestId!) && line.includes('FORBIDDEN'))).toBe(
      true,
    );
  });

  it('answers an unexpected failure with INTERNAL_SERVER_ERROR and the request id, nothing more', async () => {
    // A stored document the code cannot read: written around the API, as a bad migration would.
    const email = uniqueEmail();
    personalData.add(email);
    const id = new ObjectId();
    await test.gateway.connection
      .collection('customers')
      .insertOne({ _id: id, email, emailNormalized: email, name: 'Broken Record' });
    personalData.add('Broken Record');
    const response = await test.client.request(PROFILE, { id: String(id) }, { token: staff });
    const requestId = response.headers.get('x-request-id');
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
      }),
    ]);
    expect(JSON.stringify(response.body)).not.toMatch(/stack|mongo|Cannot|Broken/i);
    expect(logLines.some((line) => line.includes(requestId!) && line.includes('"level":50'))).toBe(
      true,
    );
  });

  it('redacts the whole duplicate key when a unique index refuses a write', async () => {
    const email = `dup\n${uniqueEmail()}`;
    personalData.add(email.split('\n')[1]);
    const customers = test.gateway.models.Customer.collection;
    await customers.createIndex({ probe: 1 }, { unique: true, sparse: true });
    await customers.insertOne({ probe: email });
    const error = await customers.insertOne({ probe: email }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 11000 });
    // Logged as any database error is; the file's closing search finds no part of the email.
    test.gateway.logger.error({ err: error }, 'duplicate key probe');
  });
});

describe('bad input, as a hostile client sends it', () => {
  let test: TestGateway;

  beforeAll(async () => {
    test = await startTestGateway('bad_input');
  });
  afterAll(() => test.stop());

  const send = async (body: string, token?: string) => {
    const response = await fetch(test.gateway.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body,
    });
    return { status: response.status, body: (await response.json()) as { errors?: unknown[] } };
  };

  const operators = [
    '{"$gt": ""}',
    '{"$ne": null}',
    '{"$where": "sleep(1000) || true"}',
    '{"$regex": ".*"}',
    '{"__proto__": {"admin": true}}',
    '{"constructor": {"prototype": {"admin": true}}}',
  ];
  const slots = (value: string) => [
    `{"accountId": ${value}}`,
    `{"email": ${value}}`,
    `{"name": {"firstName": ${value}, "lastName": "X"}}`,
    `{"__proto__": ${value}}`,
    `{"constructor": ${value}}`,
  ];

  it.each(operators)(
    'refuses %s in every JSON slot of a mutation with a coded error, writing nothing',
    async (value) => {
      const base = accountInput();
      const token = await brandToken(base.brand as Brand);
      for (const slot of slots(value)) {
        const override = JSON.parse(slot) as Record<string, unknown>;
        // Parsed, not written as a literal: `__proto__` stays an own key, as a server sees it.
        const input = JSON.stringify({ ...base, ...override });
        const body = `{"query": ${JSON.stringify(UPSERT_BRAND_ACCOUNT)}, "variables": {"input": ${input}}}`;
        const response = await send(body, token);
        expect([slot, response.status < 500]).toEqual([slot, true]);
        expect(response.body.errors?.[0]).toMatchObject({
          extensions: { code: expect.stringMatching(/BAD_USER_INPUT|BAD_REQUEST/) },
        });
      }
      expect(await test.gateway.models.BrandAccount.countDocuments({})).toBe(0);
      expect(await test.gateway.models.Customer.countDocuments({})).toBe(0);
    },
  );

  it.each(operators)('refuses %s as an id or a list of ids', async (value) => {
    const token = await staffToken();
    for (const body of [
      `{"query": "query ($id: ID!) { customer(id: $id) { id } }", "variables": {"id": ${value}}}`,
      `{"query": "query ($ids: [ID!]!) { customers(ids: $ids) { id } }", "variables": {"ids": [${value}]}}`,
    ]) {
      const response = await send(body, token);
      expect(response.status).toBeLessThan(500);
      expect(response.body.errors?.[0]).toMatchObject({
        extensions: { code: expect.stringMatching(/BAD_USER_INPUT|BAD_REQUEST/) },
      });
    }
  });

  it('sanitizes filters and refuses unknown filter paths, so input never becomes an operator', async () => {
    const { Customer } = test.gateway.models;
    await test.gateway.connection.collection('customers').insertOne({ email: 'x@example.com' });
    // The operator object is a value to compare with ($eq), which is no string: refused.
    await expect(Customer.countDocuments({ email: { $ne: null } })).rejects.toThrow(
      /Cast to string/,
    );
    await expect(Customer.find({ emial: 'x@example.com' })).rejects.toThrow(/emial/);
  });

  it('writes with majority write concern and retryable writes', () => {
    const options = test.gateway.connection.getClient().options;
    expect(options.writeConcern).toMatchObject({ w: 'majority' });
    expect(options.retryWrites).toBe(true);
  });
});
