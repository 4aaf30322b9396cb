import { Schema, type Types } from 'mongoose';

import { Brand } from '../customers/brand';
import { consentEntrySchema, type ConsentEntryRecord } from './preference.model';

/** How long a key is remembered; the TTL index deletes it some time after. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The first result of a `setPreferences` call made with an idempotency key, written in the
 * same transaction as the change itself. `_id` is the caller's scope and the key.
 */
export interface IdempotencyKeyRecord {
  _id: string;
  requestDigest: string;
  customerId: Types.ObjectId;
  brand: Brand;
  /** The preferences as the first call left them. */
  consents: Record<string, ConsentEntryRecord>;
  version: number;
  updatedAt?: Date;
  eventIds: Types.ObjectId[];
  createdAt: Date;
  expiresAt: Date;
}

export const IDEMPOTENCY_KEY_MODEL = 'IdempotencyKey';

export const idempotencyKeySchema = new Schema<IdempotencyKeyRecord>(
  {
    _id: { type: String, required: true },
    requestDigest: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    brand: { type: String, enum: Object.values(Brand), required: true },
    consents: { type: Map, of: consentEntrySchema, required: true },
    version: { type: Number, required: true },
    updatedAt: { type: Date },
    eventIds: { type: [Schema.Types.ObjectId], required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'idempotencyKeys', versionKey: false },
);

idempotencyKeySchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
