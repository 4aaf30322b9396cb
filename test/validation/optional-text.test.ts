import { accountInput, unique, UPSERT_BRAND_ACCOUNT } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { reporterToken } from '../support/tokens';

describe('empty optional text means absent', () => {
  let test: TestGateway;

  beforeAll(async () => {
    test = await startTestGateway('optional_text');
    test.clock.set('2025-06-15T12:00:00Z');
  });
  afterAll(() => test.stop());

  const upsert = async (input: Record<string, unknown>) =>
    (await test.client.data(UPSERT_BRAND_ACCOUNT, { input }, { token: await reporterToken(input) }))
      .upsertBrandAccount;

  it('accepts "" and blanks for every optional text, as none', async () => {
    const customer = await upsert(
      accountInput({
        brand: 'WAITROSE',
        customerId: '',
        name: { title: '', firstName: 'Ada', lastName: 'Lovelace' },
        postalAddress: {
          line1: '1 High St',
          line2: '  ',
          town: 'London',
          postcode: 'SW1A 1AA',
          country: '\t',
        },
        membership: { scheme: 'MY_WAITROSE', number: 'MW1', since: '2020-01-01', tier: '' },
      }),
    );
    expect(customer.name.title).toBeNull();
    expect(customer.postalAddress).toMatchObject({ line2: null, country: 'GB' });
    expect(customer.brandAccounts[0].membership.tier).toBeNull();
  });

  it('removes a value a later report leaves empty', async () => {
    const membership = { scheme: 'MY_WAITROSE', number: unique('MW'), since: '2020-01-01' };
    const input = accountInput({
      brand: 'WAITROSE',
      name: { title: 'Dr', firstName: 'Ada', lastName: 'Lovelace' },
      postalAddress: { line1: '1 High St', line2: 'Flat 2', town: 'London', postcode: 'SW1A 1AA' },
      membership: { ...membership, tier: 'Gold' },
    });
    const first = await upsert(input);
    expect([first.name.title, first.postalAddress.line2]).toEqual(['Dr', 'Flat 2']);
    const later = await upsert({
      ...input,
      name: { title: ' ', firstName: 'Ada', lastName: 'Lovelace' },
      postalAddress: { line1: '1 High St', line2: '', town: 'London', postcode: 'SW1A 1AA' },
      membership: { ...membership, tier: '' },
    });
    expect(later.name.title).toBeNull();
    expect(later.postalAddress.line2).toBeNull();
    expect(later.brandAccounts[0].membership.tier).toBeNull();
    const stored = await test.gateway.models.Customer.findById(first.id).lean();
    expect(stored?.name).not.toHaveProperty('title');
    expect(stored?.postalAddress).not.toHaveProperty('line2');
  });
});
