import { QuoteProduct, QuoteStatus } from '../../src/modules/quotes/quote.enums';
import { seed, type CustomerBuilder } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { staffToken } from '../support/tokens';

const LOYALTY = /* GraphQL */ `
  query ($id: ID!) {
    customer(id: $id) {
      loyalty {
        eligibleDiscounts {
          code
          description
          brand
          products
          percentage
          reason
          validUntil
        }
      }
    }
  }
`;

/** Every test stands on this day; membership ages are counted back from it. */
const TODAY = '2025-06-15T12:00:00.000Z';

interface Discount {
  code: string;
  products: string[];
  percentage: number;
  reason: string;
}

describe('loyalty eligibility', () => {
  let test: TestGateway;
  let token: string;

  beforeAll(async () => {
    test = await startTestGateway('loyalty');
    test.clock.set(TODAY);
    token = await staffToken();
  });
  afterAll(() => test.stop());

  const discountsOf = async (builder: CustomerBuilder): Promise<Map<string, Discount>> => {
    const { id } = await builder.create();
    const data = await test.client.data(LOYALTY, { id }, { token });
    const discounts: Discount[] = data.customer.loyalty.eligibleDiscounts;
    return new Map(discounts.map((discount) => [discount.code, discount]));
  };
  const customer = () => seed(test.client).customer();

  describe('MEMBER_HOME_10: any membership gives 10% off HOME', () => {
    it('is not given without a membership', async () => {
      const discounts = await discountsOf(customer().withJohnLewisAccount().withFinanceAccount());
      expect(discounts.has('MEMBER_HOME_10')).toBe(false);
    });

    it('is given from the first day of a membership, naming it', async () => {
      const discounts = await discountsOf(
        customer().withWaitroseAccount({ memberSince: '2025-06-15' }),
      );
      expect(discounts.get('MEMBER_HOME_10')).toEqual({
        code: 'MEMBER_HOME_10',
        description: expect.any(String),
        brand: 'JOHN_LEWIS_FINANCE',
        products: ['HOME'],
        percentage: 10,
        reason: 'my Waitrose member since 2025-06-15',
        validUntil: null,
      });
    });
  });

  describe('LOYAL_MEMBER_CAR_5: a membership of three years gives 5% off CAR', () => {
    it('is given on the day the membership turns three years old', async () => {
      const discounts = await discountsOf(
        customer().withJohnLewisAccount({ memberSince: '2022-06-15' }),
      );
      expect(discounts.get('LOYAL_MEMBER_CAR_5')).toMatchObject({
        products: ['CAR'],
        percentage: 5,
        reason: 'my John Lewis member since 2022-06-15',
      });
    });

    it('is not given the day before', async () => {
      const discounts = await discountsOf(
        customer().withJohnLewisAccount({ memberSince: '2022-06-16' }),
      );
      expect(discounts.has('LOYAL_MEMBER_CAR_5')).toBe(false);
      expect(discounts.has('MEMBER_HOME_10')).toBe(true);
    });

    it('names the oldest membership across brands', async () => {
      const discounts = await discountsOf(
        customer()
          .withJohnLewisAccount({ memberSince: '2024-01-01' })
          .withWaitroseAccount({ memberSince: '2019-03-02' }),
      );
      expect(discounts.get('LOYAL_MEMBER_CAR_5')?.reason).toBe(
        'my Waitrose member since 2019-03-02',
      );
    });
  });

  describe('MULTI_PRODUCT_5: a purchase gives 5% off every product not yet bought', () => {
    it('is not given for quotes that were never purchased', async () => {
      const discounts = await discountsOf(
        customer()
          .withQuote(QuoteProduct.CAR, QuoteStatus.QUOTED)
          .withQuote(QuoteProduct.HOME, QuoteStatus.DECLINED)
          .withQuote(QuoteProduct.PET, QuoteStatus.EXPIRED),
      );
      expect(discounts.size).toBe(0);
    });

    it('is given after one purchase, for the other products, naming the purchase', async () => {
      const builder = customer().withQuote(
        QuoteProduct.CAR,
        QuoteStatus.PURCHASED,
        '2025-01-02T10:00:00Z',
      );
      const discounts = await discountsOf(builder);
      const discount = discounts.get('MULTI_PRODUCT_5');
      expect(discount?.products).toEqual(['HOME', 'PET', 'TRAVEL', 'LIFE']);
      expect(discount?.reason).toMatch(
        /^holds car insurance \(latest: car insurance bought 2025-01-02, quote Q-[\w-]+\)$/,
      );
    });

    it('is not given once every product has been bought', async () => {
      const builder = customer();
      for (const product of Object.values(QuoteProduct)) {
        builder.withQuote(product, QuoteStatus.PURCHASED);
      }
      expect((await discountsOf(builder)).has('MULTI_PRODUCT_5')).toBe(false);
    });
  });
});
