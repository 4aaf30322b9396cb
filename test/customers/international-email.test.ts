import { accountInput, unique, UPSERT_BRAND_ACCOUNT } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { reporterToken } from '../support/tokens';

describe('international email addresses (RFC 6531)', () => {
  let test: TestGateway;

  beforeAll(async () => {
    test = await startTestGateway('international_email');
  });
  afterAll(() => test.stop());

  const upsert = async (email: string, brand = 'JOHN_LEWIS') => {
    const input = accountInput({ brand, email });
    const token = await reporterToken(input);
    return (await test.client.data(UPSERT_BRAND_ACCOUNT, { input }, { token })).upsertBrandAccount;
  };

  it.each(['José@example.com', 'straße@example.com', 'jose@exämple.com', 'ユーザー@例え.jp'])(
    'accepts %s, storing it as written',
    async (written) => {
      const address = written.replace('@', `.${unique('x')}@`);
      const customer = await upsert(address);
      expect(customer.email).toBe(address);
    },
  );

  it('links the Unicode and the punycode form of a domain to one customer', async () => {
    const local = unique('jose');
    const unicode = await upsert(`${local}@exämple.com`, 'JOHN_LEWIS');
    const punycode = await upsert(`${local}@xn--exmple-cua.com`, 'WAITROSE');
    const shouted = await upsert(`${local.toUpperCase()}@EXÄMPLE.COM`, 'JOHN_LEWIS_FINANCE');
    expect([punycode.id, shouted.id]).toEqual([unicode.id, unicode.id]);
    expect(unicode.email).toBe(`${local}@exämple.com`);
  });

  it('compares local parts by the written rule: NFC, ignoring case, ß is not ss', async () => {
    const tag = unique('');
    const composed = await upsert(`jos\u00e9${tag}@example.com`, 'JOHN_LEWIS');
    const decomposed = await upsert(`JOSE\u0301${tag}@example.com`, 'WAITROSE');
    expect(decomposed.id).toBe(composed.id);
    const sharpS = await upsert(`straße${tag}@example.com`);
    const doubleS = await upsert(`STRASSE${tag}@example.com`);
    expect(doubleS.id).not.toBe(sharpS.id);
  });

  it.each([
    'jose@',
    '@example.com',
    'jo se@example.com',
    'a..b@example.com',
    '.a@example.com',
    'a@localhost',
    'a@exa mple.com',
    'a@[127.0.0.1]',
    'a@-example.com',
    `${'é'.repeat(33)}@example.com`,
  ])('refuses %s, naming input.email', async (email) => {
    const input = accountInput({ email });
    await test.client.error(
      UPSERT_BRAND_ACCOUNT,
      { input },
      { token: await reporterToken(input) },
      { code: 'BAD_USER_INPUT', field: 'input.email' },
    );
  });
});
