import { randomBytes } from 'node:crypto';

import { Brand, MembershipScheme } from '../../src/modules/customers/brand';
import { QuoteProduct, QuoteStatus } from '../../src/modules/quotes/quote.enums';
import { type GraphQLClient } from './client';
import { insurerToken, reporterToken } from './tokens';

export const UPSERT_BRAND_ACCOUNT = /* GraphQL */ `
  mutation Upsert($input: BrandAccountInput!) {
    upsertBrandAccount(input: $input) {
      id
      email
      name {
        title
        firstName
        lastName
      }
      postalAddress {
        line1
        line2
        town
        postcode
        country
      }
      brandAccounts {
        brand
        accountId
        email
        linkedAt
        membership {
          scheme
          number
          since
          tier
        }
      }
    }
  }
`;

export const RECORD_QUOTE = /* GraphQL */ `
  mutation Record($input: QuoteInput!) {
    recordQuote(input: $input) {
      id
      reference
      brand
      product
      status
      premium {
        amount
        currency
      }
      createdAt
      validUntil
    }
  }
`;

let sequence = 0;

/** A fresh value for every call in the run: no two tests ever share an email or an account. */
export function unique(prefix: string): string {
  sequence += 1;
  return `${prefix}-${sequence}-${randomBytes(3).toString('hex')}`;
}

export function uniqueEmail(): string {
  return `${unique('person')}@example.com`;
}

const SCHEME: Partial<Record<Brand, MembershipScheme>> = {
  [Brand.JOHN_LEWIS]: MembershipScheme.MY_JOHN_LEWIS,
  [Brand.WAITROSE]: MembershipScheme.MY_WAITROSE,
};

/** Variables of a mutation input, with the keys tests look records up by. */
export type AccountInputVariables = Record<string, unknown> & { accountId: string; email: string };
export type QuoteInputVariables = Record<string, unknown> & { reference: string };

/** A valid `upsertBrandAccount` input; tests override what they are about. */
export function accountInput(overrides: Record<string, unknown> = {}): AccountInputVariables {
  return {
    brand: Brand.JOHN_LEWIS,
    accountId: unique('acct'),
    email: uniqueEmail(),
    emailVerified: true,
    name: { title: 'Ms', firstName: 'Ada', lastName: 'Lovelace' },
    postalAddress: { line1: '1 High Street', town: 'London', postcode: 'SW1A 1AA' },
    ...overrides,
  };
}

/** A valid `recordQuote` input for `customerId`; tests override what they are about. */
export function quoteInput(
  customerId: string,
  overrides: Record<string, unknown> = {},
): QuoteInputVariables {
  return {
    customerId,
    reference: unique('Q'),
    product: QuoteProduct.HOME,
    status: QuoteStatus.QUOTED,
    premium: { amount: '182.40', currency: 'GBP' },
    createdAt: '2024-01-10T10:00:00.000Z',
    validUntil: '2024-02-10T10:00:00.000Z',
    ...overrides,
  };
}

interface AccountSpec {
  brand: Brand;
  memberSince?: string;
}

interface QuoteSpec {
  product: QuoteProduct;
  status: QuoteStatus;
  createdAt: string;
}

export interface BuiltCustomer {
  id: string;
  email: string;
  accounts: { brand: Brand; accountId: string }[];
  quotes: { id: string; reference: string; product: QuoteProduct; status: QuoteStatus }[];
}

/** Builds one customer step by step through the public API, as the brands' systems would. */
export class CustomerBuilder {
  private readonly accounts: AccountSpec[] = [];
  private readonly quotes: QuoteSpec[] = [];

  constructor(
    private readonly client: GraphQLClient,
    readonly email: string = uniqueEmail(),
  ) {}

  withJohnLewisAccount(options: { memberSince?: string } = {}): this {
    this.accounts.push({ brand: Brand.JOHN_LEWIS, ...options });
    return this;
  }

  withWaitroseAccount(options: { memberSince?: string } = {}): this {
    this.accounts.push({ brand: Brand.WAITROSE, ...options });
    return this;
  }

  withFinanceAccount(): this {
    this.accounts.push({ brand: Brand.JOHN_LEWIS_FINANCE });
    return this;
  }

  withQuote(product: QuoteProduct, status: QuoteStatus, createdAt = '2024-01-10T10:00:00Z'): this {
    this.quotes.push({ product, status, createdAt });
    return this;
  }

  async create(): Promise<BuiltCustomer> {
    const accounts =
      this.accounts.length > 0 ? this.accounts : [{ brand: Brand.JOHN_LEWIS_FINANCE }];
    const built: BuiltCustomer = { id: '', email: this.email, accounts: [], quotes: [] };
    for (const account of accounts) {
      const scheme = SCHEME[account.brand];
      const input = accountInput({
        brand: account.brand,
        email: this.email,
        membership:
          scheme && account.memberSince
            ? { scheme, number: unique('M'), since: account.memberSince, tier: 'Gold' }
            : null,
      });
      const token = await reporterToken(input);
      const data = await this.client.data(UPSERT_BRAND_ACCOUNT, { input }, { token });
      built.id = data.upsertBrandAccount.id;
      built.accounts.push({ brand: account.brand, accountId: String(input.accountId) });
    }
    const insurer = await insurerToken();
    for (const quote of this.quotes) {
      const createdAt = new Date(quote.createdAt);
      const input = quoteInput(built.id, {
        product: quote.product,
        status: quote.status,
        createdAt: createdAt.toISOString(),
        validUntil: new Date(createdAt.getTime() + 30 * 86_400_000).toISOString(),
      });
      const data = await this.client.data(RECORD_QUOTE, { input }, { token: insurer });
      built.quotes.push({ ...data.recordQuote });
    }
    return built;
  }
}

/** The entry point of the data builders: `seed(client).customer().withWaitroseAccount()…`. */
export function seed(client: GraphQLClient) {
  return {
    customer: (email?: string) => new CustomerBuilder(client, email),
  };
}
