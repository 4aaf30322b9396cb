import { Schema, type Types } from 'mongoose';

import { Brand } from '../customers/brand';
import {
  personNameSchema,
  postalAddressSchema,
  type PersonNameRecord,
  type PostalAddressRecord,
} from '../customers/customer.model';

export enum PostalRequestStatus {
  APPLIED = 'APPLIED',
  NEEDS_REVIEW = 'NEEDS_REVIEW',
  NO_MATCH = 'NO_MATCH',
  DISMISSED = 'DISMISSED',
}

/** One brand's preference update as the letter asks it; an absent value is left as it is. */
export interface PostalUpdateRecord {
  brand: Brand;
  email?: boolean;
  sms?: boolean;
  post?: boolean;
  phone?: boolean;
  thirdPartyOffers?: boolean;
}

/** A letter to Group Customer Insight, as staff keyed it in, and what became of it. */
export interface PostalRequestRecord {
  _id: Types.ObjectId;
  /** The letter's own reference: the same letter keyed in twice is one request. */
  letterReference: string;
  receivedAt: Date;
  name: PersonNameRecord;
  email: string;
  postalAddress: PostalAddressRecord;
  updates: PostalUpdateRecord[];
  status: PostalRequestStatus;
  /** The customers the letter might mean, for staff to choose from. */
  candidateIds: Types.ObjectId[];
  /** The customer the updates were applied to. */
  customerId?: Types.ObjectId;
  recordedBy: string;
  recordedAt: Date;
  resolvedBy?: string;
  resolvedAt?: Date;
  dismissReason?: string;
}

export const POSTAL_REQUEST_MODEL = 'PostalRequest';

const postalUpdateSchema = new Schema<PostalUpdateRecord>(
  {
    brand: { type: String, enum: Object.values(Brand), required: true },
    email: Boolean,
    sms: Boolean,
    post: Boolean,
    phone: Boolean,
    thirdPartyOffers: Boolean,
  },
  { _id: false },
);

export const postalRequestSchema = new Schema<PostalRequestRecord>(
  {
    letterReference: { type: String, required: true },
    receivedAt: { type: Date, required: true },
    name: { type: personNameSchema, required: true },
    email: { type: String, required: true },
    postalAddress: { type: postalAddressSchema, required: true },
    updates: { type: [postalUpdateSchema], required: true },
    status: { type: String, enum: Object.values(PostalRequestStatus), required: true },
    candidateIds: { type: [Schema.Types.ObjectId], required: true },
    customerId: { type: Schema.Types.ObjectId },
    recordedBy: { type: String, required: true },
    recordedAt: { type: Date, required: true },
    resolvedBy: { type: String },
    resolvedAt: { type: Date },
    dismissReason: { type: String },
  },
  { collection: 'postalRequests', versionKey: false },
);

postalRequestSchema.index({ letterReference: 1 }, { unique: true });
// The review queue: by status, oldest first.
postalRequestSchema.index({ status: 1, _id: 1 });
