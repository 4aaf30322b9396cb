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
import {
  CONSENT_EVENT_MODEL,
  CONSENT_PAYLOAD_MODEL,
  consentEventSchema,
  consentPayloadSchema,
  FEED_COUNTER_MODEL,
  feedCounterSchema,
  type ConsentEventRecord,
  type ConsentPayloadRecord,
  type FeedCounterRecord,
} from '../modules/preferences/consent-event.model';
import {
  IDEMPOTENCY_KEY_MODEL,
  idempotencyKeySchema,
  type IdempotencyKeyRecord,
} from '../modules/preferences/idempotency.model';
import {
  BRAND_PREFERENCE_MODEL,
  brandPreferenceSchema,
  type BrandPreferenceRecord,
} from '../modules/preferences/preference.model';
import {
  POSTAL_REQUEST_MODEL,
  postalRequestSchema,
  type PostalRequestRecord,
} from '../modules/opt-outs/postal-request.model';
import { QUOTE_MODEL, quoteSchema, type QuoteRecord } from '../modules/quotes/quote.model';

/** Every model, registered on one connection so the app and each test can hold their own. */
export interface Models {
  Customer: Model<CustomerRecord>;
  BrandAccount: Model<BrandAccountRecord>;
  Quote: Model<QuoteRecord>;
  PossibleMatch: Model<PossibleMatchRecord>;
  PostalRequest: Model<PostalRequestRecord>;
  BrandPreference: Model<BrandPreferenceRecord>;
  ConsentEvent: Model<ConsentEventRecord>;
  ConsentPayload: Model<ConsentPayloadRecord>;
  FeedCounter: Model<FeedCounterRecord>;
  IdempotencyKey: Model<IdempotencyKeyRecord>;
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
    PostalRequest: connection.model<PostalRequestRecord>(POSTAL_REQUEST_MODEL, postalRequestSchema),
    BrandPreference: connection.model<BrandPreferenceRecord>(
      BRAND_PREFERENCE_MODEL,
      brandPreferenceSchema,
    ),
    ConsentEvent: connection.model<ConsentEventRecord>(CONSENT_EVENT_MODEL, consentEventSchema),
    ConsentPayload: connection.model<ConsentPayloadRecord>(
      CONSENT_PAYLOAD_MODEL,
      consentPayloadSchema,
    ),
    FeedCounter: connection.model<FeedCounterRecord>(FEED_COUNTER_MODEL, feedCounterSchema),
    IdempotencyKey: connection.model<IdempotencyKeyRecord>(
      IDEMPOTENCY_KEY_MODEL,
      idempotencyKeySchema,
    ),
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
