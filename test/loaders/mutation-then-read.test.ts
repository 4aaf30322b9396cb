import { QuoteProduct, QuoteStatus } from '../../src/modules/quotes/quote.enums';
import {
  accountInput,
  quoteInput,
  RECORD_QUOTE,
  seed,
  unique,
  UPSERT_BRAND_ACCOUNT,
} from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { staffToken } from '../support/tokens';

/** Everything of a customer a request may have loaded, and so cached, before a write. */
const VIEW = /* GraphQL */ `
  fragment View on Customer {
    id
    email
    name {
      title
      firstName
      lastName
    }
    postalAddress {
      postcode
    }
    brandAccounts {
      brand
      accountId
      membership {
        scheme
        since
      }
    }
    quotes(first: 3) {
      totalCount
      edges {
        node {
          reference
          status
        }
      }
    }
    purchased: quotes(status: PURCHASED) {
      totalCount
    }
    loyalty {
      eligibleDiscounts {
        code
        products
        reason
      }
    }
  }
`;

const FRESH = /* GraphQL */ `
  query ($id: ID!) {
    customer(id: $id) {
      ...View
    }
  }
  ${VIEW}
`;

interface WriteCase {
  /** The mutation field as it stands between two reads, using `$write`. */
  field: string;
  type: string;
  /** The write's input for the customer the reads show. */
  input(customer: { id: string; email: string }): Promise<unknown>;
}

/**
 * Every mutation of the API, each with a write that changes what a customer's reads show. A new
 * mutation gets a row here: the test then proves it forgets what it makes stale.
 */
const WRITES: Record<string, WriteCase> = {
  'recordQuote (a new purchase)': {
    field: 'recordQuote(input: $write) { id }',
    type: 'QuoteInput',
    input: async ({ id }) => quoteInput(id, { status: 'PURCHASED', product: 'CAR' }),
  },
  'recordQuote (a quote moving to PURCHASED)': {
    field: 'recordQuote(input: $write) { id }',
    type: 'QuoteInput',
    input: async ({ id }) => {
      const quote = quoteInput(id, { product: 'PET' });
      await test.client.data(RECORD_QUOTE, { input: quote }, { token });
      // The id as a client may spell it: the write must still forget the reads of `id`.
      return { ...quote, customerId: id.toUpperCase(), status: 'PURCHASED' };
    },
  },
  'upsertBrandAccount (an account at another brand, with a membership)': {
    field: 'upsertBrandAccount(input: $write) { ...View }',
    type: 'BrandAccountInput',
    input: async ({ email }) =>
      accountInput({
        brand: 'WAITROSE',
        email,
        membership: { scheme: 'MY_WAITROSE', number: unique('MW'), since: '2019-03-02' },
      }),
  },
};

let test: TestGateway;
let token: string;

describe('a mutation forgets what it makes stale for the rest of its request', () => {
  beforeAll(async () => {
    test = await startTestGateway('mutation_then_read');
    test.clock.set('2025-06-15T12:00:00Z');
    token = await staffToken();
  });
  afterAll(() => test.stop());

  it.each(Object.entries(WRITES))('%s', async (_name, write) => {
    const report = accountInput({ brand: 'JOHN_LEWIS' });
    const built = await seed(test.client)
      .customer(report.email)
      .withQuote(QuoteProduct.HOME, QuoteStatus.QUOTED)
      .create();
    // The reads are a repeated report of an account the customer has: it changes nothing.
    await test.client.data(UPSERT_BRAND_ACCOUNT, { input: report }, { token });
    const customer = { id: built.id, email: report.email };

    const sequence = await test.client.data(
      `mutation ($read: BrandAccountInput!, $write: ${write.type}!) {
        before: upsertBrandAccount(input: $read) { ...View }
        write: ${write.field}
        after: upsertBrandAccount(input: $read) { ...View }
      }
      ${VIEW}`,
      { read: report, write: await write.input(customer) },
      { token },
    );
    const fresh = await test.client.data(FRESH, { id: customer.id }, { token });

    expect(sequence.before).not.toEqual(fresh.customer);
    expect(sequence.after).toEqual(fresh.customer);
    if ('email' in sequence.write) expect(sequence.write).toEqual(fresh.customer);
  });
});
