import { seed } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { rawHs256Token, startJwksServer, tokenFor, type JwksServer } from '../support/tokens';

const CUSTOMER = 'query ($id: ID!) { customer(id: $id) { id } }';
const ME = '{ me { id email } }';
const SOME_ID = '0123456789abcdef01234567';
const AUD = 'customer-profile-gateway';

describe('authentication', () => {
  let test: TestGateway;
  let jwks: JwksServer;

  beforeAll(async () => {
    jwks = await startJwksServer();
    test = await startTestGateway('auth', { env: { AUTH_JWKS_URL: jwks.url } });
  });
  afterAll(async () => {
    await test.stop();
    await jwks.stop();
  });

  const rejected = (authorization: string) =>
    test.client.error(
      CUSTOMER,
      { id: SOME_ID },
      { authorization },
      { code: 'UNAUTHENTICATED', status: 401 },
    );

  it('refuses a field that needs a caller when no token is sent', async () => {
    await test.client.error(CUSTOMER, { id: SOME_ID }, {}, { code: 'UNAUTHENTICATED' });
  });

  it('accepts a valid HS256 token', async () => {
    const token = await tokenFor({ role: 'staff', sub: 'someone' });
    const data = await test.client.data(CUSTOMER, { id: SOME_ID }, { token });
    expect(data).toEqual({ customer: null });
  });

  const badTokens: [string, () => Promise<string>][] = [
    [
      'an expired token',
      () =>
        rawHs256Token({
          role: 'staff',
          sub: 's',
          aud: AUD,
          exp: Math.floor(Date.now() / 1000) - 60,
        }),
    ],
    [
      'a token signed with another secret',
      () =>
        rawHs256Token(
          { role: 'staff', sub: 's', aud: AUD },
          { expiresIn: '5m', secret: 'another-secret-that-is-long-enough-0123456789' },
        ),
    ],
    [
      'a token for another audience',
      () => rawHs256Token({ role: 'staff', sub: 's', aud: 'other' }, { expiresIn: '5m' }),
    ],
    ['a token without exp', () => rawHs256Token({ role: 'staff', sub: 's', aud: AUD })],
    ['a token without sub', () => rawHs256Token({ role: 'staff', aud: AUD }, { expiresIn: '5m' })],
    [
      'an unknown role',
      () => rawHs256Token({ role: 'admin', sub: 's', aud: AUD }, { expiresIn: '5m' }),
    ],
    [
      'role brand without a brand claim',
      () => rawHs256Token({ role: 'brand', sub: 's', aud: AUD }, { expiresIn: '5m' }),
    ],
    [
      'role brand with an unknown brand',
      () =>
        rawHs256Token({ role: 'brand', brand: 'ACME', sub: 's', aud: AUD }, { expiresIn: '5m' }),
    ],
    [
      'role customer whose sub is not a customer id',
      () => rawHs256Token({ role: 'customer', sub: 'bob', aud: AUD }, { expiresIn: '5m' }),
    ],
    ['a malformed token', async () => 'not.a.jwt'],
    [
      'an unsigned token (alg none)',
      async () => unsignedToken({ role: 'staff', sub: 's', aud: AUD }),
    ],
    [
      'a JWKS token naming an unknown key',
      () => jwks.sign({ role: 'staff', sub: 's' }, { kid: 'unknown-key' }),
    ],
    [
      'a JWKS token for another audience',
      () => jwks.sign({ role: 'staff', sub: 's' }, { audience: 'other' }),
    ],
  ];

  it.each(badTokens)('refuses %s with UNAUTHENTICATED (HTTP 401)', async (_name, make) => {
    await rejected(`Bearer ${await make()}`);
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    await rejected('Basic dXNlcjpwYXNz');
    await rejected('Bearer');
  });

  it('accepts an ES256 token verified against the JWKS', async () => {
    // Staff: an unknown id is null for them, where a brand is refused any customer not its own.
    const token = await jwks.sign({ role: 'staff', sub: 'identity-provider-staff' });
    expect(await test.client.data(CUSTOMER, { id: SOME_ID }, { token })).toEqual({
      customer: null,
    });
  });

  it('gives me to a customer token, and refuses it to other roles', async () => {
    const built = await seed(test.client).customer().withWaitroseAccount().create();
    const token = await tokenFor({ role: 'customer', sub: built.id });
    expect(await test.client.data(ME, {}, { token })).toEqual({
      me: { id: built.id, email: built.email },
    });
    const staff = await tokenFor({ role: 'staff', sub: 's' });
    await test.client.error(ME, {}, { token: staff }, { code: 'FORBIDDEN' });
    await test.client.error(ME, {}, {}, { code: 'UNAUTHENTICATED' });
  });

  it('answers NOT_FOUND to a customer token naming no customer', async () => {
    const token = await tokenFor({ role: 'customer', sub: SOME_ID });
    await test.client.error(ME, {}, { token }, { code: 'NOT_FOUND' });
  });
});

function unsignedToken(payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + 300;
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...payload, exp })}.`;
}
