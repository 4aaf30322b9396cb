import { type Brand } from '../../src/modules/customers/brand';
import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig } from '../../src/config';
import { accountInput, UPSERT_BRAND_ACCOUNT } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import {
  brandToken,
  rawHs256Token,
  startJwksServer,
  TEST_JWT_SECRET,
  TEST_UNSUBSCRIBE_SECRET,
  type JwksServer,
} from '../support/tokens';

const AUD = 'customer-profile-gateway';
const CUSTOMER = 'query ($id: ID!) { customer(id: $id) { id } }';
const SOME_ID = '0123456789abcdef01234567';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('development defaults', () => {
  it('apply only when no AUTH_* setting and no MONGODB_URI is given', () => {
    expect(loadConfig({})).toMatchObject({
      developmentDefaults: true,
      host: '127.0.0.1',
      auth: { jwtSecret: DEVELOPMENT_JWT_SECRET },
    });
    // NODE_ENV left unset beside a real database: no published secret, a key is required.
    // The same holds for the key that signs unsubscribe links.
    expect(problemsOf({ MONGODB_URI: 'mongodb://db:27017' })).toEqual([
      expect.stringMatching(/^AUTH_JWT_SECRET or AUTH_JWKS_URL/),
      expect.stringMatching(/^UNSUBSCRIBE_SECRET: required outside development defaults/),
    ]);
    const withJwks = loadConfig({
      AUTH_JWKS_URL: 'https://id.example.com/jwks.json',
      AUTH_JWT_ISSUER: 'https://id.example.com/',
      UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET,
    });
    expect(withJwks).toMatchObject({ developmentDefaults: false, host: undefined });
    expect(withJwks.auth.jwtSecret).toBeUndefined();
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('require an issuer with a JWKS, https in production, and HS256 beside it only on purpose', () => {
    expect(
      problemsOf({
        AUTH_JWKS_URL: 'https://id.example.com/jwks.json',
        UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET,
      }),
    ).toEqual([expect.stringMatching(/^AUTH_JWT_ISSUER/)]);
    const production = {
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb://db:27017/?replicaSet=rs0',
      AUTH_JWT_ISSUER: 'https://id.example.com/',
      PUBLIC_URL: 'https://profile.example.com',
      UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET,
    };
    expect(problemsOf({ ...production, AUTH_JWKS_URL: 'http://id.example.com/jwks' })).toEqual([
      expect.stringMatching(/^AUTH_JWKS_URL: must be https/),
    ]);
    const both = {
      ...production,
      AUTH_JWKS_URL: 'https://id.example.com/jwks',
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
    };
    expect(problemsOf(both)).toEqual([expect.stringMatching(/AUTH_ALLOW_HS256_WITH_JWKS=true/)]);
    expect(problemsOf({ ...both, AUTH_ALLOW_HS256_WITH_JWKS: 'true' })).toEqual([]);
  });
});

describe('tokens', () => {
  let test: TestGateway;
  let jwks: JwksServer;

  beforeAll(async () => {
    jwks = await startJwksServer();
    test = await startTestGateway('secure_tokens', {
      env: { AUTH_JWKS_URL: jwks.url, AUTH_MAX_TOKEN_AGE_SECONDS: '3600' },
    });
  });
  afterAll(async () => {
    await test.stop();
    await jwks.stop();
  });

  const refused = async (token: string) =>
    test.client.error(
      CUSTOMER,
      { id: SOME_ID },
      { token },
      { code: 'UNAUTHENTICATED', status: 401 },
    );
  const now = () => Math.floor(Date.now() / 1000);

  it('checks the issuer of JWKS tokens', async () => {
    const token = await jwks.sign({ role: 'staff', sub: 's' }, { issuer: 'https://evil.test/' });
    expect((await refused(token)).message).toMatch(/iss/);
  });

  it('bounds a token by its age and its lifetime, and refuses one issued in the future', async () => {
    const claims = { role: 'staff', sub: 's', aud: AUD };
    const old = await rawHs256Token({ ...claims, iat: now() - 7200, exp: now() + 60 });
    await refused(old);
    const longLived = await rawHs256Token({ ...claims, iat: now(), exp: now() + 30 * 86_400 });
    expect((await refused(longLived)).message).toMatch(/lifetime/);
    const future = await rawHs256Token({ ...claims, iat: now() + 600, exp: now() + 1200 });
    expect((await refused(future)).message).toMatch(/iat/);
    const withinTolerance = await rawHs256Token({ ...claims, iat: now() + 5, exp: now() + 600 });
    expect(
      (await test.client.request(CUSTOMER, { id: SOME_ID }, { token: withinTolerance })).status,
    ).toBe(200);
  });
});

describe('a JWKS that cannot be reached', () => {
  it('answers SERVICE_UNAVAILABLE (HTTP 503), not a malformed token', async () => {
    const jwks = await startJwksServer();
    const token = await jwks.sign({ role: 'staff', sub: 's' });
    await jwks.stop();
    const test = await startTestGateway('secure_jwks_down', { env: { AUTH_JWKS_URL: jwks.url } });
    try {
      await test.client.error(
        CUSTOMER,
        { id: SOME_ID },
        { token },
        { code: 'SERVICE_UNAVAILABLE', status: 503 },
      );
    } finally {
      await test.stop();
    }
  });
});

describe('responses and text inputs', () => {
  let test: TestGateway;

  beforeAll(async () => {
    test = await startTestGateway('secure_inputs');
  });
  afterAll(() => test.stop());

  it('carry X-Content-Type-Options: nosniff on every route', async () => {
    for (const path of ['/healthz', '/readyz', '/graphql', '/nowhere']) {
      const response = await fetch(`${test.baseUrl}${path}`);
      expect([path, response.headers.get('x-content-type-options')]).toEqual([path, 'nosniff']);
    }
  });

  it.each([
    ['a newline in an account id', { accountId: 'acct\n{"level":30}' }, 'input.accountId'],
    ['a NUL in a name', { name: { firstName: 'A\u0000', lastName: 'B' } }, 'input.name.firstName'],
    [
      'an escape in a town',
      { postalAddress: { line1: '1', town: '\u001b[2J', postcode: 'SW1A 1AA' } },
      'input.postalAddress.town',
    ],
    ['a line separator in an email', { email: 'a\u2028@example.com' }, 'input.email'],
  ])(
    'refuses %s in a variable, naming the field, and writes nothing',
    async (_name, change, field) => {
      const input = accountInput(change);
      await test.client.error(
        UPSERT_BRAND_ACCOUNT,
        { input },
        { token: await brandToken(input.brand as Brand) },
        { code: 'BAD_USER_INPUT', field, status: 400 },
      );
      expect(await test.gateway.models.BrandAccount.countDocuments({})).toBe(0);
    },
  );

  it('refuses a control character in a literal argument', async () => {
    await test.client.error(
      '{ customerByBrandAccount(brand: WAITROSE, accountId: "a\\nb") { id } }',
      {},
      { token: await brandToken() },
      { code: 'BAD_USER_INPUT', field: 'accountId', status: 400 },
    );
  });
});
