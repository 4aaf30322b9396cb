import { Brand } from '../../src/modules/customers/brand';
import { QuoteProduct, QuoteStatus } from '../../src/modules/quotes/quote.enums';
import { quoteInput, seed } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, insurerToken, staffToken, tokenFor } from '../support/tokens';

const LOYALTY = /* GraphQL */ `
  fragment Reasons on Customer {
    loyalty {
      eligibleDiscounts {
        code
        reason
      }
    }
  }
`;

const REASONS = /* GraphQL */ `
  query ($id: ID!) {
    customer(id: $id) {
      ...Reasons
    }
  }
  ${LOYALTY}
`;

/** A customer reads their own profile through `me`: `customer(id)` is not theirs to ask. */
const MY_REASONS = /* GraphQL */ `
  query {
    me {
      ...Reasons
    }
  }
  ${LOYALTY}
`;

/** A bound no reason may pass, however long the customer's history. */
const MAX_REASON_LENGTH = 200;

describe('loyalty reasons', () => {
  let test: TestGateway;
  let staff: string;

  beforeAll(async () => {
    test = await startTestGateway('loyalty_reasons');
    test.clock.set('2025-06-15T12:00:00Z');
    staff = await staffToken();
  });
  afterAll(() => test.stop());

  type Discounts = { loyalty: { eligibleDiscounts: { code: string; reason: string }[] } };
  const byCode = ({ loyalty }: Discounts): Record<string, string> =>
    Object.fromEntries(loyalty.eligibleDiscounts.map(({ code, reason }) => [code, reason]));

  const reasonsOf = async (id: string, token: string) =>
    byCode((await test.client.data(REASONS, { id }, { token })).customer);

  const myReasons = async (token: string) =>
    byCode((await test.client.data(MY_REASONS, {}, { token })).me);

  /** Records purchases in requests of 15 aliased mutations (the alias limit); returns the last reference. */
  const recordPurchases = async (customerId: string, products: string[]): Promise<string> => {
    const insurer = await insurerToken();
    let last = '';
    for (let start = 0; start < products.length; start += 15) {
      const batch = products.slice(start, start + 15).map((product, offset) => {
        const day = new Date(Date.UTC(2024, 0, 1) + (start + offset) * 3_600_000);
        return quoteInput(customerId, {
          product,
          status: 'PURCHASED',
          createdAt: day.toISOString(),
          validUntil: new Date(day.getTime() + 86_400_000).toISOString(),
        });
      });
      const fields = batch.map(
        (_input, index) => `q${index}: recordQuote(input: $q${index}) { id }`,
      );
      const variables = batch.map((_input, index) => `$q${index}: QuoteInput!`);
      await test.client.data(
        `mutation (${variables.join(', ')}) { ${fields.join(' ')} }`,
        Object.fromEntries(batch.map((input, index) => [`q${index}`, input])),
        { token: insurer },
      );
      last = batch[batch.length - 1].reference;
    }
    return last;
  };

  it('names each product held once and the latest purchase, in bounded length', async () => {
    const { id } = await seed(test.client).customer().create();
    const products = Array.from({ length: 250 }, (_, index) => ['HOME', 'CAR', 'PET'][index % 3]);
    const latest = await recordPurchases(id, products);
    const reason = (await reasonsOf(id, staff)).MULTI_PRODUCT_5;
    expect(reason).toBe(
      `holds home, car and pet insurance (latest: home insurance bought 2024-01-11, quote ${latest})`,
    );
    expect(reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
  });

  it('names a product bought twelve times once', async () => {
    const { id } = await seed(test.client).customer().create();
    const latest = await recordPurchases(id, Array<string>(12).fill('HOME'));
    expect((await reasonsOf(id, staff)).MULTI_PRODUCT_5).toBe(
      `holds home insurance (latest: home insurance bought 2024-01-01, quote ${latest})`,
    );
  });

  it('dates a purchase by its UK day', async () => {
    const built = await seed(test.client)
      .customer()
      .withQuote(QuoteProduct.TRAVEL, QuoteStatus.PURCHASED, '2025-06-14T23:30:00Z')
      .create();
    expect((await reasonsOf(built.id, staff)).MULTI_PRODUCT_5).toBe(
      `holds travel insurance (latest: travel insurance bought 2025-06-15, quote ${built.quotes[0].reference})`,
    );
  });

  describe('say no more than the viewer may read', () => {
    let id: string;
    let reference: string;
    const full = () => ({
      MEMBER_HOME_10: 'my John Lewis member since 2020-01-02',
      MULTI_PRODUCT_5: `holds car insurance (latest: car insurance bought 2025-01-02, quote ${reference})`,
      LOYAL_MEMBER_CAR_5: 'my John Lewis member since 2020-01-02',
    });
    const hidden = {
      MEMBER_HOME_10: 'holds a my John Lewis membership',
      MULTI_PRODUCT_5: 'holds a John Lewis Finance policy',
      LOYAL_MEMBER_CAR_5: 'holds a my John Lewis membership of 3 years or more',
    };

    beforeAll(async () => {
      // The Waitrose account holds no membership: Waitrose may read the customer, not the evidence.
      const built = await seed(test.client)
        .customer()
        .withJohnLewisAccount({ memberSince: '2020-01-02' })
        .withWaitroseAccount()
        .withQuote(QuoteProduct.CAR, QuoteStatus.PURCHASED, '2025-01-02T10:00:00Z')
        .create();
      id = built.id;
      reference = built.quotes[0].reference;
    });

    it('staff and the customer themselves see all the evidence', async () => {
      expect(await reasonsOf(id, staff)).toEqual(full());
      const self = await tokenFor({ role: 'customer', sub: id });
      expect(await myReasons(self)).toEqual(full());
    });

    it('John Lewis Finance sees its quotes, not a John Lewis membership', async () => {
      expect(await reasonsOf(id, await brandToken(Brand.JOHN_LEWIS_FINANCE))).toEqual({
        ...full(),
        MEMBER_HOME_10: hidden.MEMBER_HOME_10,
        LOYAL_MEMBER_CAR_5: hidden.LOYAL_MEMBER_CAR_5,
      });
    });

    it('John Lewis sees its membership, not the quotes', async () => {
      expect(await reasonsOf(id, await brandToken(Brand.JOHN_LEWIS))).toEqual({
        ...full(),
        MULTI_PRODUCT_5: hidden.MULTI_PRODUCT_5,
      });
    });

    const evidence = () => new RegExp(`${reference}|car|\\d{4}-\\d{2}`);

    it('Waitrose, which holds neither, sees neither', async () => {
      const reasons = await reasonsOf(id, await brandToken(Brand.WAITROSE));
      expect(reasons).toEqual(hidden);
      expect(JSON.stringify(reasons)).not.toMatch(evidence());
    });

    it('marketing and another customer may not read them at all, and learn nothing', async () => {
      const viewers = [
        await tokenFor({ role: 'marketing', sub: 'campaigns' }),
        await tokenFor({ role: 'customer', sub: '0123456789abcdef01234567' }),
      ];
      for (const token of viewers) {
        const response = await test.client.request(REASONS, { id }, { token });
        expect(response.body.data).toEqual({ customer: null });
        expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
        expect(JSON.stringify(response.body)).not.toMatch(evidence());
      }
    });
  });
});
