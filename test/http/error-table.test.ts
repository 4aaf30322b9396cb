import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Types } from 'mongoose';

import { Brand } from '../../src/modules/customers/brand';
import {
  accountInput,
  quoteInput,
  RECORD_QUOTE,
  seed,
  unique,
  UPSERT_BRAND_ACCOUNT,
  type BuiltCustomer,
} from '../support/builders';
import { type GraphQLClient } from '../support/client';
import { startTestGateway, type TestGateway } from '../support/gateway';
import {
  brandToken,
  insurerToken,
  rawHs256Token,
  reporterToken,
  staffToken,
  tokenFor,
} from '../support/tokens';

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

const LINK_ACCOUNTS = /* GraphQL */ `
  mutation ($brand: Brand!, $accountId: String!, $customerId: ID!) {
    linkAccounts(accountBrand: $brand, accountId: $accountId, customerId: $customerId) {
      id
    }
  }
`;

const DISMISS_POSSIBLE_MATCH = 'mutation ($id: ID!) { dismissPossibleMatch(id: $id) { id } }';

const SET_PREFERENCES = /* GraphQL */ `
  mutation ($input: SetPreferencesInput!) {
    setPreferences(input: $input) {
      preferences {
        version
      }
    }
  }
`;

const RESOLVE_POSTAL_REQUEST = /* GraphQL */ `
  mutation ($id: ID!, $customerId: ID!) {
    resolvePostalRequest(id: $id, customerId: $customerId) {
      status
    }
  }
`;

const RECORD_POSTAL_REQUEST = /* GraphQL */ `
  mutation ($input: PostalRequestInput!) {
    recordPostalRequest(input: $input) {
      request {
        id
      }
    }
  }
`;

/** A letter from nobody the gateway knows: kept for review as NO_MATCH. */
async function keptLetter({ client, staff }: Fixture): Promise<string> {
  const input = {
    name: { firstName: 'Nobody', lastName: 'Known' },
    email: `${unique('nobody')}@example.com`,
    postalAddress: { line1: '1 High Street', town: 'London', postcode: 'SW1A 1AA' },
    updates: [{ brand: Brand.WAITROSE, email: false }],
    letterReference: unique('GCI'),
    receivedAt: '2024-01-01T00:00:00.000Z',
  };
  const data = await client.data(RECORD_POSTAL_REQUEST, { input }, { token: staff });
  return data.recordPostalRequest.request.id as string;
}

interface Fixture {
  test: TestGateway;
  client: GraphQLClient;
  staff: string;
  /** John Lewis Finance's quote engine: the only caller that may record a quote. */
  insurer: string;
  /** A John Lewis customer: John Lewis may read them, Waitrose may not. */
  customer: BuiltCustomer;
  /** Another John Lewis customer, so that John Lewis may name them as `input.customerId`. */
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
    [
      'for a brand, a known customer id it may not read',
      async ({ client, customer }) =>
        client.error(
          CUSTOMER,
          { id: customer.id },
          { token: await brandToken(Brand.WAITROSE) },
          { code: 'FORBIDDEN' },
        ),
    ],
    [
      'for a brand, an unknown customer id',
      async ({ client }) =>
        client.error(
          CUSTOMER,
          { id: UNKNOWN_ID },
          { token: await brandToken(Brand.JOHN_LEWIS) },
          { code: 'FORBIDDEN' },
        ),
    ],
    [
      'for a brand, a known customer it may not read as input.customerId',
      async ({ client, customer }) => {
        const input = accountInput({ brand: Brand.WAITROSE, customerId: customer.id });
        await client.error(
          UPSERT_BRAND_ACCOUNT,
          { input },
          { token: await reporterToken(input) },
          { code: 'FORBIDDEN' },
        );
      },
    ],
    [
      'for a brand, an unknown input.customerId for a new account',
      async ({ client }) => {
        const input = accountInput({ customerId: UNKNOWN_ID });
        await client.error(
          UPSERT_BRAND_ACCOUNT,
          { input },
          { token: await reporterToken(input) },
          { code: 'FORBIDDEN' },
        );
      },
    ],
    [
      'for a brand, an unknown input.customerId for a known account, which stays as it was',
      async ({ client, customer, test }) => {
        const [account] = customer.accounts;
        const input = accountInput({ ...account, email: customer.email, customerId: UNKNOWN_ID });
        await client.error(
          UPSERT_BRAND_ACCOUNT,
          { input },
          { token: await reporterToken(input) },
          { code: 'FORBIDDEN' },
        );
        const stored = await test.gateway.models.BrandAccount.findOne(account).lean();
        expect(stored?.customerId.toHexString()).toBe(customer.id);
      },
    ],
    // A field without a permission rule cannot be reached over HTTP, since every field has
    // one: test/authorization/deny-by-default.test.ts proves that refusal on a schema of its own.
  ],
  BAD_USER_INPUT: [
    [
      'an invalid argument, naming the field',
      async ({ client }) => {
        const input = accountInput({ email: 'nobody' });
        await client.error(
          UPSERT_BRAND_ACCOUNT,
          { input },
          { token: await reporterToken(input) },
          { code: 'BAD_USER_INPUT', field: 'input.email' },
        );
      },
    ],
    [
      'an unsubscribe token this gateway did not sign',
      ({ client }) =>
        client.error(
          'mutation ($token: String!) { unsubscribe(token: $token) { brand } }',
          { token: 'not-a-token' },
          {},
          { code: 'BAD_USER_INPUT', field: 'token' },
        ),
    ],
    [
      'a value the schema cannot parse, with HTTP 400',
      ({ client, insurer, customer }) =>
        client.error(
          RECORD_QUOTE,
          { input: quoteInput(customer.id, { createdAt: 'yesterday' }) },
          { token: insurer },
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
      'an input.customerId that names no customer in recordQuote',
      ({ client, insurer }) =>
        client.error(
          RECORD_QUOTE,
          { input: quoteInput(UNKNOWN_ID) },
          { token: insurer },
          { code: 'NOT_FOUND', field: 'input.customerId' },
        ),
    ],
    [
      'an unknown account in linkAccounts',
      ({ client, staff, customer }) =>
        client.error(
          LINK_ACCOUNTS,
          { brand: Brand.JOHN_LEWIS, accountId: 'no-such-account', customerId: customer.id },
          { token: staff },
          { code: 'NOT_FOUND', field: 'accountId' },
        ),
    ],
    [
      'an unknown customer in linkAccounts, the account staying where it was',
      async ({ client, staff, customer, test }) => {
        const [account] = customer.accounts;
        await client.error(
          LINK_ACCOUNTS,
          { ...account, customerId: UNKNOWN_ID },
          { token: staff },
          { code: 'NOT_FOUND', field: 'customerId' },
        );
        const stored = await test.gateway.models.BrandAccount.findOne(account).lean();
        expect(stored?.customerId.toHexString()).toBe(customer.id);
      },
    ],
    [
      'an unknown customer in contactPermission',
      ({ client, staff }) =>
        client.error(
          'query ($id: ID!) { contactPermission(customerId: $id, brand: WAITROSE, channel: EMAIL) { allowed } }',
          { id: UNKNOWN_ID },
          { token: staff },
          { code: 'NOT_FOUND', field: 'customerId' },
        ),
    ],
    [
      'an unknown customer in unsubscribeLink',
      ({ client, staff }) =>
        client.error(
          'query ($id: ID!) { unsubscribeLink(customerId: $id, brand: WAITROSE) }',
          { id: UNKNOWN_ID },
          { token: staff },
          { code: 'NOT_FOUND', field: 'customerId' },
        ),
    ],
    [
      'an unknown postal request or customer in resolvePostalRequest',
      async (fixture) => {
        const { client, staff, customer } = fixture;
        await client.error(
          RESOLVE_POSTAL_REQUEST,
          { id: UNKNOWN_ID, customerId: customer.id },
          { token: staff },
          { code: 'NOT_FOUND', field: 'id' },
        );
        await client.error(
          RESOLVE_POSTAL_REQUEST,
          { id: await keptLetter(fixture), customerId: UNKNOWN_ID },
          { token: staff },
          { code: 'NOT_FOUND', field: 'customerId' },
        );
      },
    ],
    [
      'an unknown dismissPossibleMatch id',
      ({ client, staff }) =>
        client.error(
          DISMISS_POSSIBLE_MATCH,
          { id: UNKNOWN_ID },
          { token: staff },
          { code: 'NOT_FOUND', field: 'id' },
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
      'an account already linked to another existing customer',
      async ({ client, customer, other }) => {
        const input = accountInput({
          ...customer.accounts[0],
          email: customer.email,
          customerId: other.id,
        });
        await client.error(
          UPSERT_BRAND_ACCOUNT,
          { input },
          { token: await reporterToken(input) },
          { code: 'CONFLICT', field: 'input.customerId' },
        );
      },
    ],
    [
      'a quote reference reported differently',
      async ({ client, insurer, customer }) => {
        const input = quoteInput(customer.id);
        await client.data(RECORD_QUOTE, { input }, { token: insurer });
        await client.error(
          RECORD_QUOTE,
          { input: { ...input, product: 'LIFE' } },
          { token: insurer },
          { code: 'CONFLICT', field: 'input.product' },
        );
      },
    ],
    [
      'a settled quote status changed',
      async ({ client, insurer, customer }) => {
        const input = quoteInput(customer.id, { status: 'DECLINED' });
        await client.data(RECORD_QUOTE, { input }, { token: insurer });
        await client.error(
          RECORD_QUOTE,
          { input: { ...input, status: 'PURCHASED' } },
          { token: insurer },
          { code: 'CONFLICT', field: 'input.status' },
        );
      },
    ],
    [
      'a postal request already closed',
      async (fixture) => {
        const { client, staff, customer } = fixture;
        const id = await keptLetter(fixture);
        await client.data(
          RESOLVE_POSTAL_REQUEST,
          { id, customerId: customer.id },
          { token: staff },
        );
        await client.error(
          RESOLVE_POSTAL_REQUEST,
          { id, customerId: customer.id },
          { token: staff },
          { code: 'CONFLICT', field: 'id' },
        );
        await client.error(
          'mutation ($id: ID!) { dismissPostalRequest(id: $id, reason: "late") { status } }',
          { id },
          { token: staff },
          { code: 'CONFLICT', field: 'id' },
        );
      },
    ],
    // A concurrent report still in progress needs a race that cannot be made deterministic
    // over HTTP; test/customers/linking.test.ts runs such races and expects them settled.
  ],
  VERSION_CONFLICT: [
    [
      'setPreferences with an expectedVersion that is not the current version',
      async ({ client, customer }) => {
        const token = await tokenFor({ role: 'customer', sub: customer.id });
        const input = { brand: Brand.JOHN_LEWIS, sms: true, source: 'WEB' };
        await client.data(SET_PREFERENCES, { input }, { token });
        await client.error(
          SET_PREFERENCES,
          { input: { ...input, sms: false, expectedVersion: 0 } },
          { token },
          { code: 'VERSION_CONFLICT', field: 'input.expectedVersion' },
        );
      },
    ],
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
  QUERY_TOO_COMPLEX: [
    [
      'a document over one of the limits on one request, with HTTP 400',
      async (fixture) => {
        const aliases = Array.from({ length: 16 }, (_, index) => `a${index}: me { id }`).join(' ');
        const response = await fixture.client.request(`{ ${aliases} }`, {}, {});
        expect([response.status, response.body.errors?.[0].extensions]).toEqual([
          400,
          { code: 'QUERY_TOO_COMPLEX', limit: 'aliases', max: 15, measured: 16 },
        ]);
      },
    ],
  ],
  PERSISTED_QUERY_NOT_FOUND: [
    [
      'an automatic persisted query hash this instance has not seen (HTTP 200: send the query)',
      async (fixture) =>
        expect(
          await rawPost(
            fixture,
            JSON.stringify({
              extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
            }),
          ),
        ).toEqual({ status: 200, code: 'PERSISTED_QUERY_NOT_FOUND' }),
    ],
    [
      'a documentId no manifest in TRUSTED_DOCUMENTS holds, with HTTP 400',
      async (fixture) =>
        expect(
          await rawPost(fixture, JSON.stringify({ documentId: `sha256:${'0'.repeat(64)}` })),
        ).toEqual({ status: 400, code: 'PERSISTED_QUERY_NOT_FOUND' }),
    ],
  ],
  PERSISTED_QUERY_NOT_ALLOWED: [
    [
      'a role TRUSTED_DOCUMENTS binds sent a document of its own, with HTTP 403',
      async ({ customer }) => {
        const manifest = join(
          __dirname,
          '..',
          '..',
          'examples/my-account/src/gql/persisted-documents.json',
        );
        const bound = await startTestGateway('error_table_trusted', {
          env: { TRUSTED_DOCUMENTS: manifest },
        });
        try {
          const token = await tokenFor({ role: 'customer', sub: customer.id });
          await bound.client.error(
            '{ me { id } }',
            {},
            { token },
            { code: 'PERSISTED_QUERY_NOT_ALLOWED', status: 403 },
          );
        } finally {
          await bound.stop();
        }
      },
    ],
  ],
  RATE_LIMITED: [
    [
      'a caller over its requests per window, with HTTP 429 and Retry-After',
      async () => {
        // A gateway of its own: this file's gateway has limits no test comes near.
        const limited = await startTestGateway('error_table_rate', {
          env: { RATE_LIMIT_ANONYMOUS: '1' },
        });
        try {
          await limited.client.data('{ __typename }');
          const response = await limited.client.request('{ __typename }');
          expect([
            response.status,
            response.body.errors?.[0].extensions?.code,
            Number(response.headers.get('retry-after')) > 0,
          ]).toEqual([429, 'RATE_LIMITED', true]);
        } finally {
          await limited.stop();
        }
      },
    ],
  ],
  INTERNAL_SERVER_ERROR: [
    [
      'anything unexpected (here, a stored document the code cannot read), with no detail',
      async ({ client, staff, test }) => {
        const id = new Types.ObjectId();
        // Written around the API, as a bad migration would: a name that is not a name.
        await test.gateway.connection.collection('customers').insertOne({
          _id: id,
          email: 'x@example.com',
          emailNormalized: 'x@example.com',
          name: 'x',
        });
        const error = await client.error(
          'query ($id: ID!) { customer(id: $id) { name { firstName } } }',
          { id: id.toHexString() },
          { token: staff },
          { code: 'INTERNAL_SERVER_ERROR' },
        );
        expect(error.message).toBe('Internal server error');
      },
    ],
  ],
  // Last: it takes the database away from this file's gateway.
  SERVICE_UNAVAILABLE: [
    [
      'the database did not answer (here, a closed connection)',
      async ({ client, staff, customer, test }) => {
        await test.gateway.connection.close();
        await client.error(
          CUSTOMER,
          { id: customer.id },
          { token: staff },
          { code: 'SERVICE_UNAVAILABLE' },
        );
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
    fixture.insurer = await insurerToken();
    fixture.customer = await seed(fixture.client).customer().withJohnLewisAccount().create();
    fixture.other = await seed(fixture.client).customer().withJohnLewisAccount().create();
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
