import {
  accountInput,
  quoteInput,
  RECORD_QUOTE,
  seed,
  UPSERT_BRAND_ACCOUNT,
  unique,
  uniqueEmail,
} from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, staffToken } from '../support/tokens';
import { Brand } from '../../src/modules/customers/brand';

const CUSTOMER = /* GraphQL */ `
  query Customer($id: ID!) {
    customer(id: $id) {
      id
      email
      name {
        firstName
        lastName
      }
      brandAccounts {
        brand
        accountId
        email
        linkedAt
        membership {
          scheme
          since
        }
      }
    }
  }
`;

describe('linking brand accounts into one customer', () => {
  let test: TestGateway;

  beforeAll(async () => {
    test = await startTestGateway('linking');
  });
  afterAll(() => test.stop());

  /** Each account is reported by its own brand's backend. */
  const upsert = async (input: Record<string, unknown>) =>
    (
      await test.client.data(
        UPSERT_BRAND_ACCOUNT,
        { input },
        { token: await brandToken(input.brand as Brand) },
      )
    ).upsertBrandAccount;

  it('creates a customer for an account with an unknown email', async () => {
    const input = accountInput({ brand: 'JOHN_LEWIS' });
    const customer = await upsert(input);
    expect(customer).toMatchObject({
      email: input.email,
      name: { title: 'Ms', firstName: 'Ada', lastName: 'Lovelace' },
      postalAddress: {
        line1: '1 High Street',
        town: 'London',
        postcode: 'SW1A 1AA',
        country: 'GB',
      },
      brandAccounts: [{ brand: 'JOHN_LEWIS', accountId: input.accountId, email: input.email }],
    });
  });

  it('links accounts at other brands with the same email, ignoring case and spaces', async () => {
    const email = uniqueEmail();
    const johnLewis = await upsert(accountInput({ brand: 'JOHN_LEWIS', email }));
    const waitrose = await upsert(
      accountInput({ brand: 'WAITROSE', email: `  ${email.toUpperCase()} ` }),
    );
    const finance = await upsert(accountInput({ brand: 'JOHN_LEWIS_FINANCE', email }));

    expect(waitrose.id).toBe(johnLewis.id);
    expect(finance.id).toBe(johnLewis.id);
    // Each brand sees its own account only; staff see all three, oldest link first.
    expect(finance.brandAccounts.map((account: { brand: string }) => account.brand)).toEqual([
      'JOHN_LEWIS_FINANCE',
    ]);
    const all = await test.client.data(
      CUSTOMER,
      { id: johnLewis.id },
      { token: await staffToken() },
    );
    expect(all.customer.brandAccounts.map((account: { brand: string }) => account.brand)).toEqual([
      'JOHN_LEWIS',
      'WAITROSE',
      'JOHN_LEWIS_FINANCE',
    ]);
    // The Waitrose account keeps the email as Waitrose holds it (trimmed).
    expect(all.customer.brandAccounts[1].email).toBe(email.toUpperCase());
  });

  it('links to an explicit customerId the brand can read, even when the email differs', async () => {
    const first = await seed(test.client).customer().withJohnLewisAccount().create();
    // The insurer can read a customer it has quoted for, and so may link its account to them.
    await test.client.data(
      RECORD_QUOTE,
      { input: quoteInput(first.id) },
      { token: await brandToken(Brand.JOHN_LEWIS_FINANCE) },
    );
    const linked = await upsert(
      accountInput({ brand: 'JOHN_LEWIS_FINANCE', email: uniqueEmail(), customerId: first.id }),
    );
    expect(linked.id).toBe(first.id);
    expect(linked.brandAccounts).toEqual([
      expect.objectContaining({ brand: 'JOHN_LEWIS_FINANCE' }),
    ]);
  });

  it('changes nothing when the same report is repeated', async () => {
    const input = accountInput({
      brand: 'WAITROSE',
      membership: { scheme: 'MY_WAITROSE', number: unique('MW'), since: '2019-03-02', tier: null },
    });
    const first = await upsert(input);
    const second = await upsert(input);
    const third = await upsert({ ...input, email: ` ${String(input.email)} ` });
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    const count = await test.gateway.models.BrandAccount.countDocuments({
      accountId: input.accountId,
    });
    expect(count).toBe(1);
    expect(
      await test.gateway.models.Customer.countDocuments({ emailNormalized: input.email }),
    ).toBe(1);
  });

  it('makes one customer from concurrent first reports of one person', async () => {
    const email = uniqueEmail();
    const inputs = [
      accountInput({ brand: 'JOHN_LEWIS', email }),
      accountInput({ brand: 'WAITROSE', email }),
    ];
    // Each account reported three times at once: the races the unique keys must settle.
    const results = await Promise.all(
      [...inputs, ...inputs, ...inputs].map((input) => upsert(input)),
    );
    expect(new Set(results.map((customer) => customer.id)).size).toBe(1);
    const { Customer, BrandAccount } = test.gateway.models;
    expect(await Customer.countDocuments({ emailNormalized: email })).toBe(1);
    expect(await BrandAccount.countDocuments({ customerId: results[0].id })).toBe(2);
  });

  it('updates a known account and the profile from a later report', async () => {
    const input = accountInput({ brand: 'JOHN_LEWIS' });
    const first = await upsert(input);
    const later = await upsert({
      ...input,
      name: { firstName: 'Ada', lastName: 'King' },
      membership: { scheme: 'MY_JOHN_LEWIS', number: 'MJL1', since: '2020-01-01' },
    });
    expect(later.id).toBe(first.id);
    expect(later.name).toEqual({ title: null, firstName: 'Ada', lastName: 'King' });
    expect(later.brandAccounts).toEqual([
      expect.objectContaining({
        linkedAt: first.brandAccounts[0].linkedAt,
        membership: { scheme: 'MY_JOHN_LEWIS', number: 'MJL1', since: '2020-01-01', tier: null },
      }),
    ]);
  });

  it('refuses to move a known account to another customer', async () => {
    const owner = await seed(test.client).customer().withJohnLewisAccount().create();
    const other = await seed(test.client).customer().withJohnLewisAccount().create();
    const input = accountInput({
      brand: 'JOHN_LEWIS',
      accountId: owner.accounts[0].accountId,
      email: owner.email,
      customerId: other.id,
    });
    const token = await brandToken(Brand.JOHN_LEWIS);
    await test.client.error(
      UPSERT_BRAND_ACCOUNT,
      { input },
      { token },
      { code: 'CONFLICT', field: 'input.customerId' },
    );
    const after = await test.client.data(CUSTOMER, { id: other.id }, { token });
    expect(after.customer.brandAccounts).toHaveLength(1);
  });

  it('refuses an unknown customerId as it refuses one the brand cannot read, writing nothing', async () => {
    const input = accountInput({ customerId: '0123456789abcdef01234567' });
    await test.client.error(
      UPSERT_BRAND_ACCOUNT,
      { input },
      { token: await brandToken(Brand.JOHN_LEWIS) },
      { code: 'FORBIDDEN' },
    );
    expect(
      await test.gateway.models.BrandAccount.countDocuments({ accountId: input.accountId }),
    ).toBe(0);
  });

  it('finds the customer by a brand account', async () => {
    const built = await seed(test.client).customer().withWaitroseAccount().create();
    const query = /* GraphQL */ `
      query ($brand: Brand!, $accountId: String!) {
        customerByBrandAccount(brand: $brand, accountId: $accountId) {
          id
        }
      }
    `;
    const found = await test.client.data(
      query,
      { brand: 'WAITROSE', accountId: built.accounts[0].accountId },
      { token: await staffToken() },
    );
    expect(found.customerByBrandAccount).toEqual({ id: built.id });
    const missing = await test.client.data(
      query,
      { brand: 'JOHN_LEWIS', accountId: built.accounts[0].accountId },
      { token: await brandToken(Brand.JOHN_LEWIS) },
    );
    expect(missing.customerByBrandAccount).toBeNull();
  });
});
