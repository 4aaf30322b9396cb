import { Brand } from '../../src/modules/customers/brand';
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
import { brandToken, insurerToken } from '../support/tokens';

/** The quote history in a view: only the insurer may read it (the quotes are its own). */
const QUOTE_FIELDS = /* GraphQL */ `
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
`;

/** Everything of a customer a request by `caller` may have loaded, and so cached, before a write. */
const view = (caller: Brand) => /* GraphQL */ `
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
    ${caller === Brand.JOHN_LEWIS_FINANCE ? QUOTE_FIELDS : ''}
    loyalty {
      eligibleDiscounts {
        code
        products
        reason
      }
    }
  }
`;

const fresh = (caller: Brand) => /* GraphQL */ `
  query ($id: ID!) {
    customer(id: $id) {
      ...View
    }
  }
  ${view(caller)}
`;

interface WriteCase {
  /**
   * The brand whose backend sends the whole request. One request has one caller, so the reads
   * around the write are that brand's repeated report of its own account of the customer, and
   * the write is one the permission table lets that brand send.
   */
  caller: Brand;
  /** The mutation field as it stands between two reads, using `$write`. */
  field: string;
  type: string;
  /** The write's input for the customer the reads show. */
  input(customer: { id: string; email: string }): Promise<unknown>;
}

/**
 * Every mutation a brand reports with, each with a write that changes what a customer's reads
 * show. A new mutation gets a row here: the test then proves it forgets what it makes stale.
 * Staff's `linkAccounts` has none: staff may send no other mutation, so the only read around it
 * in one request would be another `linkAccounts`, which forgets its own customer by itself.
 */
const WRITES: Record<string, WriteCase> = {
  'recordQuote (a new purchase)': {
    caller: Brand.JOHN_LEWIS_FINANCE,
    field: 'recordQuote(input: $write) { id }',
    type: 'QuoteInput',
    input: async ({ id }) => quoteInput(id, { status: 'PURCHASED', product: 'CAR' }),
  },
  'recordQuote (a quote moving to PURCHASED)': {
    caller: Brand.JOHN_LEWIS_FINANCE,
    field: 'recordQuote(input: $write) { id }',
    type: 'QuoteInput',
    input: async ({ id }) => {
      const quote = quoteInput(id, { product: 'PET' });
      await test.client.data(RECORD_QUOTE, { input: quote }, { token: await insurerToken() });
      // The id as a client may spell it: the write must still forget the reads of `id`.
      return { ...quote, customerId: id.toUpperCase(), status: 'PURCHASED' };
    },
  },
  // A brand reports only its own accounts, so the new account is the calling brand's second one.
  'upsertBrandAccount (another account at the same brand, with a membership)': {
    caller: Brand.WAITROSE,
    field: 'upsertBrandAccount(input: $write) { ...View }',
    type: 'BrandAccountInput',
    input: async ({ email }) =>
      accountInput({
        brand: Brand.WAITROSE,
        email,
        membership: { scheme: 'MY_WAITROSE', number: unique('MW'), since: '2019-03-02' },
      }),
  },
};

let test: TestGateway;

describe('a mutation forgets what it makes stale for the rest of its request', () => {
  beforeAll(async () => {
    test = await startTestGateway('mutation_then_read');
    test.clock.set('2025-06-15T12:00:00Z');
  });
  afterAll(() => test.stop());

  it.each(Object.entries(WRITES))('%s', async (_name, write) => {
    const token = await brandToken(write.caller);
    const report = accountInput({ brand: write.caller });
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
      ${view(write.caller)}`,
      { read: report, write: await write.input(customer) },
      { token },
    );
    const read = await test.client.data(fresh(write.caller), { id: customer.id }, { token });

    expect(sequence.before).not.toEqual(read.customer);
    expect(sequence.after).toEqual(read.customer);
    if ('email' in sequence.write) expect(sequence.write).toEqual(read.customer);
  });
});
