import { quoteInput, RECORD_QUOTE, seed, type BuiltCustomer } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken } from '../support/tokens';
import { Brand } from '../../src/modules/customers/brand';

describe('recordQuote', () => {
  let test: TestGateway;
  let token: string;
  let customer: BuiltCustomer;

  beforeAll(async () => {
    test = await startTestGateway('record_quote');
    token = await brandToken(Brand.JOHN_LEWIS_FINANCE);
    customer = await seed(test.client).customer().withFinanceAccount().create();
  });
  afterAll(() => test.stop());

  const record = async (input: Record<string, unknown>) =>
    (await test.client.data(RECORD_QUOTE, { input }, { token })).recordQuote;

  it('records a quote sold by John Lewis Finance, with money as a decimal string', async () => {
    const input = quoteInput(customer.id, { premium: { amount: '182.4' }, product: 'CAR' });
    expect(await record(input)).toEqual({
      id: expect.any(String),
      reference: input.reference,
      brand: 'JOHN_LEWIS_FINANCE',
      product: 'CAR',
      status: 'QUOTED',
      premium: { amount: '182.40', currency: 'GBP' },
      createdAt: '2024-01-10T10:00:00.000Z',
      validUntil: '2024-02-10T10:00:00.000Z',
    });
    const stored = await test.gateway.models.Quote.findOne({ reference: input.reference }).lean();
    expect(stored).toMatchObject({ premium: { amountMinor: 18240, currency: 'GBP' } });
  });

  it('is idempotent on the reference, and a later report moves the status on', async () => {
    const input = quoteInput(customer.id, { premium: { amount: '0.05' } });
    const first = await record(input);
    expect(await record(input)).toEqual(first);
    const purchased = await record({ ...input, status: 'PURCHASED' });
    expect(purchased).toEqual({ ...first, status: 'PURCHASED' });
    expect(await test.gateway.models.Quote.countDocuments({ reference: input.reference })).toBe(1);
  });

  it('keeps a settled status: a late QUOTED report cannot undo a purchase', async () => {
    const input = quoteInput(customer.id);
    await record({ ...input, status: 'PURCHASED' });
    for (const status of ['QUOTED', 'EXPIRED', 'DECLINED']) {
      await test.client.error(
        RECORD_QUOTE,
        { input: { ...input, status } },
        { token },
        { code: 'CONFLICT', field: 'input.status' },
      );
    }
    expect(await record({ ...input, status: 'PURCHASED' })).toMatchObject({ status: 'PURCHASED' });
    const stored = await test.gateway.models.Quote.findOne({ reference: input.reference }).lean();
    expect(stored).toMatchObject({ status: 'PURCHASED' });
  });

  it('keeps a purchase that races a late QUOTED report for the same quote', async () => {
    // Each round sends a purchase and a QUOTED report with a new validity at once. Whichever
    // is applied first, the purchase must stand: the QUOTED report either lands before it or
    // is refused with CONFLICT, never written over it.
    for (let round = 0; round < 10; round += 1) {
      const input = quoteInput(customer.id);
      await record(input);
      const [purchase, late] = await Promise.all([
        test.client.request(RECORD_QUOTE, { input: { ...input, status: 'PURCHASED' } }, { token }),
        test.client.request(
          RECORD_QUOTE,
          { input: { ...input, validUntil: '2024-03-10T10:00:00.000Z' } },
          { token },
        ),
      ]);
      expect(purchase.body.errors).toBeUndefined();
      expect(late.body.errors?.map((error) => error.extensions?.code) ?? []).toEqual(
        late.body.errors ? ['CONFLICT'] : [],
      );
      const stored = await test.gateway.models.Quote.findOne({ reference: input.reference }).lean();
      expect(stored?.status).toBe('PURCHASED');
    }
  });

  it('refuses a repeated reference that changes what made the quote', async () => {
    const input = quoteInput(customer.id);
    await record(input);
    const other = await seed(test.client).customer().create();
    for (const [change, field] of [
      [{ customerId: other.id }, 'input.customerId'],
      [{ product: 'PET' }, 'input.product'],
      [{ premium: { amount: '999.99' } }, 'input.premium.amount'],
    ] as const) {
      await test.client.error(
        RECORD_QUOTE,
        { input: { ...input, ...change } },
        { token },
        { code: 'CONFLICT', field },
      );
    }
    const stored = await test.gateway.models.Quote.findOne({ reference: input.reference }).lean();
    expect(stored).toMatchObject({ product: 'HOME', premium: { amountMinor: 18240 } });
  });

  it('answers NOT_FOUND for a customer that does not exist', async () => {
    const input = quoteInput('0123456789abcdef01234567');
    await test.client.error(
      RECORD_QUOTE,
      { input },
      { token },
      { code: 'NOT_FOUND', field: 'input.customerId' },
    );
    expect(await test.gateway.models.Quote.countDocuments({ reference: input.reference })).toBe(0);
  });
});
