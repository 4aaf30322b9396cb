import { Schema, type Types } from 'mongoose';

import { Brand } from '../customers/brand';
import { QuoteProduct, QuoteStatus } from './quote.enums';

export interface MoneyRecord {
  /** Integer minor units (pence): money is never stored as a float. */
  amountMinor: number;
  currency: string;
}

export interface QuoteRecord {
  _id: Types.ObjectId;
  customerId: Types.ObjectId;
  brand: Brand;
  reference: string;
  product: QuoteProduct;
  status: QuoteStatus;
  premium: MoneyRecord;
  /** When the quote engine made the quote (not when the gateway heard of it). */
  createdAt: Date;
  validUntil: Date;
  recordedAt: Date;
  updatedAt: Date;
}

export const QUOTE_MODEL = 'Quote';

const moneySchema = new Schema<MoneyRecord>(
  {
    amountMinor: {
      type: Number,
      required: true,
      validate: { validator: Number.isSafeInteger, message: 'must be whole pence' },
    },
    currency: { type: String, required: true },
  },
  { _id: false },
);

export const quoteSchema = new Schema<QuoteRecord>(
  {
    customerId: { type: Schema.Types.ObjectId, required: true },
    brand: { type: String, enum: Object.values(Brand), required: true },
    reference: { type: String, required: true },
    product: { type: String, enum: Object.values(QuoteProduct), required: true },
    status: { type: String, enum: Object.values(QuoteStatus), required: true },
    premium: { type: moneySchema, required: true },
    createdAt: { type: Date, required: true },
    validUntil: { type: Date, required: true },
    recordedAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'quotes', versionKey: false },
);

quoteSchema.index({ brand: 1, reference: 1 }, { unique: true });
// The page order (newest first, _id breaking ties) so a customer's page is one index range scan.
quoteSchema.index({ customerId: 1, createdAt: -1, _id: -1 });
