import {
  accountInput,
  quoteInput,
  RECORD_QUOTE,
  seed,
  UPSERT_BRAND_ACCOUNT,
  type BuiltCustomer,
} from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, staffToken } from '../support/tokens';
import { Brand } from '../../src/modules/customers/brand';

/** Each case: an input change, the field the error must name. Nothing may be written. */
const ACCOUNT_CASES: [string, Record<string, unknown>, string][] = [
  ['a malformed email', { email: 'not-an-email' }, 'input.email'],
  ['an empty account id', { accountId: '  ' }, 'input.accountId'],
  ['an empty first name', { name: { firstName: '', lastName: 'X' } }, 'input.name.firstName'],
  [
    'a malformed UK postcode',
    { postalAddress: { line1: '1 High St', town: 'London', postcode: 'NOT A CODE' } },
    'input.postalAddress.postcode',
  ],
  [
    'a country that is not an ISO code',
    { postalAddress: { line1: '1 Rue', town: 'Paris', postcode: '75001', country: 'France' } },
    'input.postalAddress.country',
  ],
  [
    'a membership that begins in the future',
    { membership: { scheme: 'MY_JOHN_LEWIS', number: 'M1', since: '2999-01-01' } },
    'input.membership.since',
  ],
  [
    "another brand's membership scheme",
    { membership: { scheme: 'MY_WAITROSE', number: 'M1', since: '2020-01-01' } },
    'input.membership.scheme',
  ],
  ['a malformed customerId', { customerId: 'abc' }, 'input.customerId'],
];

const QUOTE_CASES: [string, Record<string, unknown>, string][] = [
  ['a negative premium', { premium: { amount: '-1.00' } }, 'input.premium.amount'],
  ['three decimals', { premium: { amount: '10.005' } }, 'input.premium.amount'],
  ['a float-looking exponent', { premium: { amount: '1e3' } }, 'input.premium.amount'],
  [
    'a currency other than GBP',
    { premium: { amount: '1.00', currency: 'EUR' } },
    'input.premium.currency',
  ],
  [
    'validUntil before createdAt',
    { createdAt: '2024-02-01T00:00:00Z', validUntil: '2024-01-01T00:00:00Z' },
    'input.validUntil',
  ],
  [
    'a createdAt in the future',
    { createdAt: '2999-01-01T00:00:00Z', validUntil: '2999-02-01T00:00:00Z' },
    'input.createdAt',
  ],
  ['an empty reference', { reference: '' }, 'input.reference'],
  ['a malformed customerId', { customerId: 'zzz' }, 'input.customerId'],
];

describe('input validation', () => {
  let test: TestGateway;
  let token: string;
  let insurer: string;
  let customer: BuiltCustomer;

  beforeAll(async () => {
    test = await startTestGateway('validation');
    token = await staffToken();
    insurer = await brandToken(Brand.JOHN_LEWIS_FINANCE);
    customer = await seed(test.client).customer().create();
  });
  afterAll(() => test.stop());

  it.each(ACCOUNT_CASES)('upsertBrandAccount refuses %s', async (_name, change, field) => {
    const input = accountInput(change);
    await test.client.error(
      UPSERT_BRAND_ACCOUNT,
      { input },
      { token: await brandToken(Brand.JOHN_LEWIS) },
      { code: 'BAD_USER_INPUT', field },
    );
    const { BrandAccount, Customer } = test.gateway.models;
    expect(await BrandAccount.countDocuments({ accountId: input.accountId })).toBe(0);
    expect(await Customer.countDocuments({ email: input.email })).toBe(0);
  });

  it.each(QUOTE_CASES)('recordQuote refuses %s', async (_name, change, field) => {
    const input = quoteInput(customer.id, change);
    await test.client.error(
      RECORD_QUOTE,
      { input },
      { token: insurer },
      { code: 'BAD_USER_INPUT', field },
    );
    expect(await test.gateway.models.Quote.countDocuments({ reference: input.reference })).toBe(0);
  });

  it('normalises a valid UK postcode to one spelling', async () => {
    const input = accountInput({
      postalAddress: { line1: '1 High St', town: 'London', postcode: 'sw1a1aa' },
    });
    const data = await test.client.data(
      UPSERT_BRAND_ACCOUNT,
      { input },
      { token: await brandToken(Brand.JOHN_LEWIS) },
    );
    expect(data.upsertBrandAccount.postalAddress.postcode).toBe('SW1A 1AA');
  });

  it('refuses more than 100 ids, naming ids', async () => {
    const ids = Array.from({ length: 101 }, () => customer.id);
    await test.client.error(
      'query ($ids: [ID!]!) { customers(ids: $ids) { id } }',
      { ids },
      { token },
      { code: 'BAD_USER_INPUT', field: 'ids' },
    );
  });

  it('answers null for an unknown or malformed id, in the order asked', async () => {
    const data = await test.client.data(
      'query ($ids: [ID!]!) { customers(ids: $ids) { id } customer(id: "nope") { id } }',
      { ids: ['nope', customer.id, '0123456789abcdef01234567', customer.id.toUpperCase()] },
      { token },
    );
    expect(data).toEqual({
      customers: [null, { id: customer.id }, null, { id: customer.id }],
      customer: null,
    });
  });

  it('refuses a value the schema cannot parse with BAD_USER_INPUT, not a 500', async () => {
    const response = await test.client.request(
      RECORD_QUOTE,
      { input: quoteInput(customer.id, { createdAt: 'yesterday' }) },
      { token: insurer },
    );
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
