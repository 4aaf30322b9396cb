import { Schema, type Types } from 'mongoose';

import { Brand } from '../customers/brand';
import { ConsentSource, ConsentState } from './preference.enums';

/** One consent as last set; a consent never set has no entry (it is NOT_ASKED). */
export interface ConsentEntryRecord {
  state: ConsentState.GRANTED | ConsentState.WITHDRAWN;
  updatedAt: Date;
  source: ConsentSource;
}

/**
 * A customer's contact preferences at one brand. `consents` is keyed by `consentKey`: `EMAIL`,
 * `SMS`, `POST`, `PHONE`, `PUSH:<topic>`, `THIRD_PARTY_OFFERS`, `QUOTE_FOLLOW_UP`.
 */
export interface BrandPreferenceRecord {
  _id: Types.ObjectId;
  customerId: Types.ObjectId;
  brand: Brand;
  consents: Record<string, ConsentEntryRecord>;
  /** Rises by one with every call that changes something; 0 means never changed. */
  version: number;
  updatedAt: Date;
}

export const BRAND_PREFERENCE_MODEL = 'BrandPreference';

export const consentEntrySchema = new Schema<ConsentEntryRecord>(
  {
    state: {
      type: String,
      enum: [ConsentState.GRANTED, ConsentState.WITHDRAWN],
      required: true,
    },
    updatedAt: { type: Date, required: true },
    source: { type: String, enum: Object.values(ConsentSource), required: true },
  },
  { _id: false },
);

export const brandPreferenceSchema = new Schema<BrandPreferenceRecord>(
  {
    customerId: { type: Schema.Types.ObjectId, required: true },
    brand: { type: String, enum: Object.values(Brand), required: true },
    consents: { type: Map, of: consentEntrySchema, required: true },
    version: { type: Number, required: true, min: 1 },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'brandPreferences', versionKey: false },
);

brandPreferenceSchema.index({ customerId: 1, brand: 1 }, { unique: true });
