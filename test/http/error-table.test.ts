import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  accountInput,
  quoteInput,
  RECORD_QUOTE,
  seed,
  UPSERT_BRAND_ACCOUNT,
  type BuiltCustomer,
} from '../support/builders';
import { type GraphQLClient } from '../support/client';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { rawHs256Token, staffToken, tokenFor } from '../support/tokens';

/** The codes the README's error table lists, read from the README itself. */
function readmeErrorCodes(): string[] {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.split('### Errors')[1].split('\n## ')[0];
  const firstCells = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split('|')[1]);
  return firstCells.flatMap((cell) => [...cell.matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]));
}

const CUSTOMER = 'query ($id: ID!) { customer(id: $id) { id } }';
const UNKNOWN_ID = '0123456789abcdef01234567';

interface Fixture {
  test: TestGateway;
  client: GraphQLClient;
  staff: string;
  customer: BuiltCustomer;
  other: BuiltCustomer;
}

/** A case: one documented situation, asserting the code (and HTTP status or field) it answers. */
type Case = [situation: string, run: (fixture: Fixture) => Promise<unknown>];

/** Posts a raw body; answers the status and the first error's code. */
async function rawPost(fixture: Fixture, body: string) {
  const response = await fetch(fixture.test.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${fixture.staff}` },
    body,
  });
  const json = (await response.json()) as { errors: { extensions: { code: string } }[] };
  return { status: response.status, code: json.errors[0].extensions.code };
}

/** Every row of the README's table, each situation it names. */
const CASES: Record<string, Case[]> = {
  UNAUTHENTICATED: [
    [
      'no token where one is needed',
      ({ client, customer }) =>
        client.error(CUSTOMER, { id: customer.id }, {}, { code: 'UNAUTHENTICATED' }),
    ],
    [
      'a bad token fails the whole request with HTTP 401',
      async ({ client, customer }) => {
        const expired = await rawHs256Token(
          { role: 'staff', sub: 's', aud: 'customer-profile-gateway' },
          { expiresIn: -60 },
        );
        await client.error(
          CUSTOMER,
          { id: customer.id },
          { token: expired },
          { code: 'UNAUTHENTICATED', status: 401 },
        );
      },
    ],
  ],
  FORBIDDEN: [
    [
      'a role that may not ask this (me for staff)',
      ({ client, staff }) =>
        client.error('{ me { id } }', {}, { token: staff }, { code: 'FORBIDDEN' }),
    ],
    // A field without a permission rule cannot be reached over HTTP, since every field has
    // one: test/authorization/deny-by-default.test.ts proves that refusal on a schema of its own.
  ],
  BAD_USER_INPUT: [
    [
      'an invalid argument, naming the field',
      ({ client, staff }) =>
        client.error(
          UPSERT_BRAND_ACCOUNT,
          { input: accountInput({ email: 'nobody' }) },
          { token: staff },
          { code: 'BAD_USER_INPUT', field: 'input.email' },
        ),
    ],
    [
      'a value the schema cannot parse, with HTTP 400',
      ({ client, staff, customer }) =>
        client.error(
          RECORD_QUOTE,
          { input: quoteInput(customer.id, { createdAt: 'yesterday' }) },
          { token: staff },
          { code: 'BAD_USER_INPUT', status: 400 },
        ),
    ],
  ],
  NOT_FOUND: [
    [
      'me for a customer that does not exist',
      async ({ client }) => {
        const token = await tokenFor({ role: 'customer', sub: UNKNOWN_ID });
        await client.error('{ me { id } }', {}, { token }, { code: 'NOT_FOUND' });
      },
    ],
    [
      'an unknown input.customerId for a new account',
      ({ client, staff }) =>
        client.error(
          UPSERT_BRAND_ACCOUNT,
          { input: accountInput({ customerId: UNKNOWN_ID }) },
          { token: staff },
          { code: 'NOT_FOUND', field: 'input.customerId' },
        ),
    ],
    [
      'an unknown input.customerId for a known account, which stays as it was',
      async ({ client, staff, customer, test }) => {
        const [account] = customer.accounts;
        await client.error(
          UPSERT_BRAND_ACCOUNT,
          {
            input: accountInput({ ...account, email: customer.email, customerId: UNKNOWN_ID }),
          },
          { token: staff },
          { code: 'NOT_FOUND', field: 'input.customerId' },
        );
        const stored = await test.gateway.models.BrandAccount.findOne(account).lean();
        expect(stored?.customerId.toHexString()).toBe(customer.id);
      },
    ],
    [
      'an unknown input.customerId for a quote',
      ({ client, staff }) =>
        client.error(
          RECORD_QUOTE,
          { input: quoteInput(UNKNOWN_ID) },
          { token: staff },
          { code: 'NOT_FOUND', field: 'input.customerId' },
        ),
    ],
    [
      'an unknown HTTP route, with HTTP 404',
      async ({ test }) => {
        const response = await fetch(`${test.baseUrl}/nowhere`);
        const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
        expect([response.status, body.errors[0].extensions.code]).toEqual([404, 'NOT_FOUND']);
      },
    ],
  ],
  CONFLICT: [
    [
      'an account already linked to another customer',
      ({ client, staff, customer, other }) =>
        client.error(
          UPSERT_BRAND_ACCOUNT,
          {
            input: accountInput({
              ...customer.accounts[0],
              email: customer.email,
              customerId: other.id,
            }),
          },
          { token: staff },
          { code: 'CONFLICT', field: 'input.customerId' },
        ),
    ],
    [
      'a quote reference reported differently',
      async ({ client, staff, customer }) => {
        const input = quoteInput(customer.id);
        await client.data(RECORD_QUOTE, { input }, { token: staff });
        await client.error(
          RECORD_QUOTE,
          { input: { ...input, product: 'LIFE' } },
          { token: staff },
          { code: 'CONFLICT', field: 'input.product' },
        );
      },
    ],
    [
      'a settled quote status changed',
      async ({ client, staff, customer }) => {
        const input = quoteInput(customer.id, { status: 'DECLINED' });
        await client.data(RECORD_QUOTE, { input }, { token: staff });
        await client.error(
          RECORD_QUOTE,
          { input: { ...input, status: 'PURCHASED' } },
          { token: staff },
          { code: 'CONFLICT', field: 'input.status' },
        );
      },
    ],
    // A concurrent report still in progress needs a race that cannot be made deterministic
    // over HTTP; test/customers/linking.test.ts runs such races and expects them settled.
  ],
  GRAPHQL_VALIDATION_FAILED: [
    [
      'a field the schema does not have',
      async (fixture) =>
        expect(await rawPost(fixture, '{"query":"{ nothing }"}')).toEqual({
          status: 400,
          code: 'GRAPHQL_VALIDATION_FAILED',
        }),
    ],
  ],
  GRAPHQL_PARSE_FAILED: [
    [
      'a query that is not GraphQL',
      async (fixture) =>
        expect(await rawPost(fixture, '{"query":"{ customer("}')).toEqual({
          status: 400,
          code: 'GRAPHQL_PARSE_FAILED',
        }),
    ],
  ],
  BAD_REQUEST: [
    [
      'a body that is not JSON',
      async (fixture) =>
        expect(await rawPost(fixture, '{"query": ')).toEqual({ status: 400, code: 'BAD_REQUEST' }),
    ],
  ],
  // Last: it takes the database away from this file's gateway.
  INTERNAL_SERVER_ERROR: [
    [
      'anything unexpected (here, a lost database), with no detail',
      async ({ client, staff, customer, test }) => {
        await test.gateway.connection.close();
        const error = await client.error(
          CUSTOMER,
          { id: customer.id },
          { token: staff },
          { code: 'INTERNAL_SERVER_ERROR' },
        );
        expect(error.message).toBe('Internal server error');
      },
    ],
  ],
};

describe("the README's error table", () => {
  const fixture = {} as Fixture;

  beforeAll(async () => {
    fixture.test = await startTestGateway('error_table');
    fixture.client = fixture.test.client;
    fixture.staff = await staffToken();
    fixture.customer = await seed(fixture.client).customer().withJohnLewisAccount().create();
    fixture.other = await seed(fixture.client).customer().create();
  });
  afterAll(() => fixture.test.stop());

  it('has a test for every code it lists, and lists every code tested', () => {
    expect(Object.keys(CASES).sort()).toEqual(readmeErrorCodes().sort());
  });

  const rows = Object.entries(CASES).flatMap(([code, cases]) =>
    cases.map(([situation, run]): [string, string, Case[1]] => [code, situation, run]),
  );
  it.each(rows)('%s: %s', (_code, _situation, run) => run(fixture));
});
