import fc from 'fast-check';
import { type JWTPayload } from 'jose';

import { Brand } from '../../src/modules/customers/brand';
import { QuoteProduct, QuoteStatus } from '../../src/modules/quotes/quote.enums';
import { seed } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, rawHs256Token, staffToken, tokenFor } from '../support/tokens';
import {
  databaseDigest,
  headerText,
  mutatedDocument,
  rawRequest,
  schemaOperation,
  type GeneratedOperation,
  type RawRequest,
} from './support/hostile-input';

/**
 * Runs per property: bounded in `npm test`, more with FUZZ_RUNS (and another sequence of
 * cases with FUZZ_SEED). A failure prints the seed and the path that replays it.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 11);

jest.setTimeout(Math.max(120_000, RUNS * 2_000));

interface Outcome {
  status: number;
  contentType: string;
  text: string;
}

/** What came back, in the words a failing property prints. */
function describeCase(sent: unknown, outcome: Outcome): string {
  return [
    `sent: ${JSON.stringify(sent).slice(0, 2000)}`,
    `status: ${outcome.status} (${outcome.contentType})`,
    `response: ${outcome.text.slice(0, 2000)}`,
  ].join('\n');
}

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message?: unknown; path?: unknown[]; extensions?: { code?: unknown } }[];
}

/**
 * Checks one answer and says whether it refused the request: below 500; JSON errors each with
 * a message and a code, never an internal error or a stack trace. Refused means nothing the
 * request asked for ran to completion: an HTTP error, no data, or every root field null with
 * its own error (an error deeper down means the root field, a mutation too, did its work).
 */
function checkAnswer(sent: unknown, outcome: Outcome): { refused: boolean } {
  const fail = (why: string) => {
    throw new Error(`${why}\n${describeCase(sent, outcome)}`);
  };
  if (outcome.status >= 500) fail('a status of 500 or more');
  if (outcome.text.includes('stacktrace')) fail('a stack trace in the response');
  if (!outcome.contentType.includes('json')) return { refused: outcome.status !== 200 };
  const body = JSON.parse(outcome.text) as GraphQLBody;
  const errors = body.errors ?? [];
  if (outcome.status >= 400 && errors.length === 0) fail('an HTTP error without a GraphQL error');
  for (const error of errors) {
    if (typeof error.message !== 'string' || typeof error.extensions?.code !== 'string') {
      fail('an error without a message and a code');
    }
    if (error.extensions?.code === 'INTERNAL_SERVER_ERROR') fail('an internal error');
  }
  const rootsNull = !body.data || Object.values(body.data).every((value) => value === null);
  const rootErrorsOnly = errors.every((error) => !error.path || error.path.length <= 1);
  return { refused: outcome.status !== 200 || (errors.length > 0 && rootsNull && rootErrorsOnly) };
}

describe('bad input, as a hostile client would send it', () => {
  let test: TestGateway;
  let knownIds: string[];
  /** Valid tokens of every role, and no token. */
  let callers: (string | undefined)[];
  /** Tokens that are wrong in every way a token can be. */
  let badTokens: string[];
  let baseline: string;

  beforeAll(async () => {
    test = await startTestGateway('bad_input');
    const customer = await seed(test.client)
      .customer()
      .withJohnLewisAccount({ memberSince: '2019-03-02' })
      .withWaitroseAccount()
      .withQuote(QuoteProduct.HOME, QuoteStatus.QUOTED)
      .create();
    const other = await seed(test.client).customer().withFinanceAccount().create();
    knownIds = [customer.id, other.id, customer.quotes[0].id];
    callers = [
      undefined,
      await staffToken(),
      await brandToken(Brand.JOHN_LEWIS),
      await brandToken(Brand.JOHN_LEWIS_FINANCE),
      await tokenFor({ role: 'customer', sub: customer.id }),
      await tokenFor({ role: 'marketing', sub: 'fuzz-campaigns' }),
    ];
    const valid = await staffToken();
    const audience = 'customer-profile-gateway';
    badTokens = [
      `${valid.slice(0, -3)}AAA`,
      valid.split('.').slice(0, 2).join('.'),
      `${valid}.extra`,
      await rawHs256Token({ role: 'staff', sub: 's', aud: audience }, { secret: 'w'.repeat(40) }),
      await rawHs256Token({ role: '__proto__', sub: 's', aud: audience }, { expiresIn: '5m' }),
      await rawHs256Token({ role: 'constructor', sub: 's', aud: audience }, { expiresIn: '5m' }),
      await rawHs256Token(
        // A claim of the wrong type is the point of this token.
        { role: 'customer', sub: { $gt: '' }, aud: audience } as unknown as JWTPayload,
        { expiresIn: '5m' },
      ),
      await rawHs256Token({ role: 'brand', sub: 'b', brand: { $ne: null }, aud: audience }),
      await rawHs256Token({ role: 'customer', sub: '', aud: [audience, 'x'] }, { expiresIn: '5m' }),
      await rawHs256Token(
        { role: 'staff', sub: 's', aud: audience, iat: 2 ** 40 },
        { expiresIn: 2 ** 41 },
      ),
      'eyJhbGciOiJub25lIn0.eyJyb2xlIjoic3RhZmYiLCJzdWIiOiJzIn0.',
    ];
    baseline = await databaseDigest(test.gateway.connection);
  });
  afterAll(() => test.stop());

  /** Sends one request; checks the answer, the database (when refused) and that it serves. */
  async function sendAndCheck(sent: unknown, request: RawRequest): Promise<void> {
    const response = await fetch(`${test.baseUrl}${request.path}`, {
      method: request.method,
      headers: request.headers,
      // A copy over a plain ArrayBuffer: what fetch's body type accepts.
      body: request.body instanceof Uint8Array ? new Uint8Array(request.body) : request.body,
    });
    const outcome = {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text: await response.text(),
    };
    const { refused } = checkAnswer(sent, outcome);
    const after = await databaseDigest(test.gateway.connection);
    if (refused && after !== baseline) {
      throw new Error(`a refused request changed the database\n${describeCase(sent, outcome)}`);
    }
    baseline = after;
    const health = await fetch(`${test.baseUrl}/healthz`);
    if (health.status !== 200) throw new Error(`no longer serving after\n${JSON.stringify(sent)}`);
  }

  function graphqlRequest(
    { query, variables }: GeneratedOperation,
    headers: Record<string, string>,
  ): RawRequest {
    return {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    };
  }

  const callerIndex = fc.nat({ max: 5 });
  const asCaller = (index: number): Record<string, string> => {
    const token = callers[index];
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  const options = { seed: SEED, numRuns: RUNS };

  it('answers every operation of the schema, with hostile variables, as every caller', () =>
    fc.assert(
      fc.asyncProperty(schemaOperation(knownIds), callerIndex, (operation, caller) =>
        sendAndCheck(operation, graphqlRequest(operation, asCaller(caller))),
      ),
      {
        ...options,
        // Found by a longer run: past 50 bad variable values graphql-js stops with an uncoded error.
        examples: [
          [
            {
              operation: 'mutation',
              query: `mutation ($input: PostalRequestInput!) { recordPostalRequest(input: $input) { status } }`,
              variables: { input: { updates: Array.from({ length: 101 }, () => knownIds[0]) } },
            },
            1,
          ],
        ],
      },
    ));

  it('answers mutated documents: cut, spliced with syntax, fragments and introspection', () =>
    fc.assert(
      fc.asyncProperty(mutatedDocument(knownIds), callerIndex, (operation, caller) =>
        sendAndCheck(operation, graphqlRequest(operation, asCaller(caller))),
      ),
      options,
    ));

  it('answers random bytes, JSON and content types, with any method', () =>
    fc.assert(
      fc.asyncProperty(rawRequest, callerIndex, (request, caller) =>
        sendAndCheck(request, {
          ...request,
          headers: { ...request.headers, ...asCaller(caller) },
        }),
      ),
      {
        ...options,
        // Found by a longer run: Apollo refuses this with HTTP 400 but no code.
        examples: [
          [
            {
              method: 'GET',
              path: '/graphql?extensions=%7B%22persistedQuery%22%3A1%7D',
              headers: { 'content-type': 'application/json' },
            },
            0,
          ],
        ],
      },
    ));

  // No random Content-Length: one longer than the body only makes the server wait for bytes
  // that never come (until Node's request timeout), which says nothing about the gateway.
  it('answers random headers and tokens', () => {
    const authorization = fc.oneof(
      fc.constantFrom(...badTokens).map((token) => `Bearer ${token}`),
      headerText,
      headerText.map((text) => `Bearer ${text}`),
      fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', `Bearer ${'a'.repeat(8000)}`),
    );
    const headers = fc.record(
      {
        authorization,
        'x-request-id': headerText,
        'x-forwarded-for': headerText,
        accept: headerText,
        'apollo-require-preflight': headerText,
        cookie: headerText,
      },
      { requiredKeys: [] },
    );
    return fc.assert(
      fc.asyncProperty(schemaOperation(knownIds), headers, (operation, sentHeaders) =>
        sendAndCheck({ operation, headers: sentHeaders }, graphqlRequest(operation, sentHeaders)),
      ),
      options,
    );
  });
});
