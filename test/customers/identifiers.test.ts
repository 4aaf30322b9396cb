import { Brand } from '../../src/modules/customers/brand';
import {
  accountInput,
  quoteInput,
  RECORD_QUOTE,
  seed,
  unique,
  UPSERT_BRAND_ACCOUNT,
} from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, insurerToken } from '../support/tokens';

const BY_ACCOUNT = /* GraphQL */ `
  query ($brand: Brand!, $accountId: String!) {
    customerByBrandAccount(brand: $brand, accountId: $accountId) {
      id
    }
  }
`;

describe('one identifier, one spelling, at every entry point', () => {
  let test: TestGateway;
  /** Waitrose's backend: it reports and looks up its own accounts. */
  let token: string;

  beforeAll(async () => {
    test = await startTestGateway('identifiers');
    token = await brandToken(Brand.WAITROSE);
  });
  afterAll(() => test.stop());

  const findByAccount = async (accountId: string) =>
    (await test.client.data(BY_ACCOUNT, { brand: 'WAITROSE', accountId }, { token }))
      .customerByBrandAccount;

  it('finds an account reported with spaces by any spacing of its id', async () => {
    const accountId = unique('WS');
    const input = accountInput({ brand: 'WAITROSE', accountId: ` ${accountId} ` });
    const { upsertBrandAccount: customer } = await test.client.data(
      UPSERT_BRAND_ACCOUNT,
      { input },
      { token },
    );
    expect(customer.brandAccounts[0].accountId).toBe(accountId);
    for (const spelling of [accountId, ` ${accountId} `, `\t${accountId}\u00a0`]) {
      expect(await findByAccount(spelling)).toEqual({ id: customer.id });
    }
  });

  it('treats the composed and decomposed forms of an accented id as one', async () => {
    const suffix = unique('');
    const decomposed = `Jose\u0301${suffix}`;
    const composed = `Jos\u00e9${suffix}`;
    const first = await test.client.data(
      UPSERT_BRAND_ACCOUNT,
      { input: accountInput({ brand: 'WAITROSE', accountId: decomposed }) },
      { token },
    );
    expect(await findByAccount(composed)).toEqual({ id: first.upsertBrandAccount.id });
    expect(first.upsertBrandAccount.brandAccounts[0].accountId).toBe(composed);
  });

  it('answers null for an account id no account can have', async () => {
    expect(await findByAccount('   ')).toBeNull();
    expect(await findByAccount('W'.repeat(65))).toBeNull();
  });

  it('takes a customer id in any case and spacing, everywhere', async () => {
    // A Waitrose customer, so that Waitrose may read them and link another account to them.
    const built = await seed(test.client).customer().withWaitroseAccount().create();
    const spelt = ` ${built.id.toUpperCase()} `;
    const read = await test.client.data(
      'query ($id: ID!, $ids: [ID!]!) { customer(id: $id) { id } customers(ids: $ids) { id } }',
      { id: spelt, ids: [spelt] },
      { token },
    );
    expect(read).toEqual({ customer: { id: built.id }, customers: [{ id: built.id }] });

    const linked = await test.client.data(
      UPSERT_BRAND_ACCOUNT,
      { input: accountInput({ brand: 'WAITROSE', customerId: spelt }) },
      { token },
    );
    expect(linked.upsertBrandAccount.id).toBe(built.id);

    const insurer = await insurerToken();
    const quote = quoteInput(spelt);
    const first = await test.client.data(RECORD_QUOTE, { input: quote }, { token: insurer });
    const again = await test.client.data(
      RECORD_QUOTE,
      { input: { ...quote, customerId: built.id, reference: ` ${quote.reference}\t` } },
      { token: insurer },
    );
    expect(again.recordQuote).toEqual(first.recordQuote);
    expect(first.recordQuote.reference).toBe(quote.reference);
  });
});
