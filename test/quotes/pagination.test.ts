import { trusted } from 'mongoose';

import { QuoteProduct, QuoteStatus } from '../../src/modules/quotes/quote.enums';
import { seed, type BuiltCustomer } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { staffToken } from '../support/tokens';

const QUOTES = /* GraphQL */ `
  query Quotes(
    $id: ID!
    $first: Int
    $after: String
    $product: QuoteProduct
    $status: QuoteStatus
  ) {
    customer(id: $id) {
      quotes(first: $first, after: $after, product: $product, status: $status) {
        totalCount
        edges {
          cursor
          node {
            reference
            product
            status
            createdAt
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`;

interface Page {
  totalCount: number;
  edges: { cursor: string; node: { reference: string; product: string; status: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

describe('a customer’s quotes, page by page', () => {
  let test: TestGateway;
  let token: string;
  let customer: BuiltCustomer;

  beforeAll(async () => {
    test = await startTestGateway('pagination');
    token = await staffToken();
    const builder = seed(test.client).customer().withFinanceAccount();
    const products = [QuoteProduct.HOME, QuoteProduct.CAR, QuoteProduct.PET];
    // Seven quotes, one a day; two share a timestamp so the id must break the tie.
    for (let day = 1; day <= 7; day++) {
      const status = day % 2 === 0 ? QuoteStatus.PURCHASED : QuoteStatus.QUOTED;
      builder.withQuote(products[day % 3], status, `2024-03-0${Math.min(day, 6)}T09:00:00Z`);
    }
    customer = await builder.create();
  });
  afterAll(() => test.stop());

  const page = async (variables: Record<string, unknown>): Promise<Page> =>
    (await test.client.data(QUOTES, { id: customer.id, ...variables }, { token })).customer.quotes;

  it('walks every quote newest first with opaque cursors, without repeats or gaps', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const current: Page = await page({ first: 3, after });
      pages += 1;
      expect(current.totalCount).toBe(7);
      seen.push(...current.edges.map((edge) => edge.node.reference));
      expect(current.pageInfo.endCursor).toBe(current.edges.at(-1)?.cursor ?? null);
      if (!current.pageInfo.hasNextPage) break;
      after = current.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(7);
    const stored = await test.gateway.models.Quote.find({ reference: trusted({ $in: seen }) })
      .sort({ createdAt: -1, _id: -1 })
      .lean();
    expect(seen).toEqual(stored.map((quote) => quote.reference));
  });

  it('filters by product and status, counting under the same filters', async () => {
    const homes = await page({ product: 'HOME' });
    expect(homes.edges.every((edge) => edge.node.product === 'HOME')).toBe(true);
    expect(homes.totalCount).toBe(homes.edges.length);
    const purchased = await page({ status: 'PURCHASED', first: 1 });
    expect(purchased.totalCount).toBe(3);
    expect(purchased.edges).toHaveLength(1);
    expect(purchased.pageInfo.hasNextPage).toBe(true);
    const none = await page({ product: 'LIFE' });
    expect(none).toEqual({
      totalCount: 0,
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });
  });

  it('defaults to 20 per page and ends on the last one', async () => {
    const all = await page({});
    expect(all.edges).toHaveLength(7);
    expect(all.pageInfo.hasNextPage).toBe(false);
  });

  it.each([0, 101, -1])('refuses first = %d', async (first) => {
    await test.client.error(
      QUOTES,
      { id: customer.id, first },
      { token },
      { code: 'BAD_USER_INPUT', field: 'first' },
    );
  });

  it('refuses a cursor it did not make', async () => {
    for (const after of ['not-a-cursor', Buffer.from('2024-01-01|zz').toString('base64url')]) {
      await test.client.error(
        QUOTES,
        { id: customer.id, after },
        { token },
        { code: 'BAD_USER_INPUT', field: 'after' },
      );
    }
  });
});
