import { type Connection, type Model } from 'mongoose';

import {
  BRAND_ACCOUNT_MODEL,
  brandAccountSchema,
  type BrandAccountRecord,
} from '../modules/customers/brand-account.model';
import {
  CUSTOMER_MODEL,
  customerSchema,
  type CustomerRecord,
} from '../modules/customers/customer.model';
import {
  POSSIBLE_MATCH_MODEL,
  possibleMatchSchema,
  type PossibleMatchRecord,
} from '../modules/customers/possible-match.model';
import { QUOTE_MODEL, quoteSchema, type QuoteRecord } from '../modules/quotes/quote.model';

/** Every model, registered on one connection so the app and each test can hold their own. */
export interface Models {
  Customer: Model<CustomerRecord>;
  BrandAccount: Model<BrandAccountRecord>;
  Quote: Model<QuoteRecord>;
  PossibleMatch: Model<PossibleMatchRecord>;
}

/**
 * A filter naming a path the schema does not have fails rather than being dropped: dropping
 * it would widen the filter (a typo or a stray input key matching every document).
 */
const STRICT_QUERY = 'throw';

export function createModels(connection: Connection): Models {
  for (const schema of [customerSchema, brandAccountSchema, quoteSchema, possibleMatchSchema]) {
    schema.set('strictQuery', STRICT_QUERY);
  }
  return {
    Customer: connection.model<CustomerRecord>(CUSTOMER_MODEL, customerSchema),
    BrandAccount: connection.model<BrandAccountRecord>(BRAND_ACCOUNT_MODEL, brandAccountSchema),
    Quote: connection.model<QuoteRecord>(QUOTE_MODEL, quoteSchema),
    PossibleMatch: connection.model<PossibleMatchRecord>(POSSIBLE_MATCH_MODEL, possibleMatchSchema),
  };
}

/**
 * Builds every collection and index before the gateway serves: a unique index that cannot be
 * built (duplicates already stored) must stop start-up rather than leave the key unenforced.
 */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models) as Model<unknown>[]) {
    await model.createCollection();
    await model.createIndexes();
  }
}
