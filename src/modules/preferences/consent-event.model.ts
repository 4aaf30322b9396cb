import { Schema, type Types } from 'mongoose';

import { ROLES, type Role } from '../../auth/roles';
import { Brand } from '../customers/brand';
import { Channel, ConsentSource, ConsentState, ContactPurpose } from './preference.enums';

/**
 * One change of one consent; append-only. Holds no personal data beyond ids: free text lives
 * in the event's payload document, which the chain covers only through `payloadDigest`, so
 * payloads can be erased and the chain still verifies.
 */
export interface ConsentEventRecord {
  _id: Types.ObjectId;
  /** Place in the change feed: assigned in commit order, never reused, no gaps. */
  position: number;
  customerId: Types.ObjectId;
  /** Place in the customer's chain: 1, 2, 3… */
  seq: number;
  brand: Brand;
  channel?: Channel;
  topic?: string;
  purpose: ContactPurpose;
  granted: boolean;
  previous: ConsentState;
  source: ConsentSource;
  actor: { role: Role; subject: string };
  at: Date;
  /** Digest of the payload (salted), or absent when the change carried no evidence. */
  payloadDigest?: string;
  prevHash: string;
  hash: string;
}

/** The personal part of an event, erasable on its own: `_id` is the event's id. */
export interface ConsentPayloadRecord {
  _id: Types.ObjectId;
  customerId: Types.ObjectId;
  /** Random, so that a short evidence text cannot be guessed back from its digest. */
  salt: string;
  evidence: string;
}

/** The change feed's last assigned position; every preference write increments it. */
export interface FeedCounterRecord {
  _id: string;
  position: number;
}

export const CONSENT_EVENT_MODEL = 'ConsentEvent';
export const CONSENT_PAYLOAD_MODEL = 'ConsentPayload';
export const FEED_COUNTER_MODEL = 'FeedCounter';
/** The one counter document of the consent change feed. */
export const CONSENT_FEED_ID = 'consentEvents';

export const consentEventSchema = new Schema<ConsentEventRecord>(
  {
    position: { type: Number, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true },
    brand: { type: String, enum: Object.values(Brand), required: true },
    channel: { type: String, enum: Object.values(Channel) },
    topic: { type: String },
    purpose: { type: String, enum: Object.values(ContactPurpose), required: true },
    granted: { type: Boolean, required: true },
    previous: { type: String, enum: Object.values(ConsentState), required: true },
    source: { type: String, enum: Object.values(ConsentSource), required: true },
    actor: {
      type: new Schema(
        {
          role: { type: String, enum: ROLES, required: true },
          subject: { type: String, required: true },
        },
        { _id: false },
      ),
      required: true,
    },
    at: { type: Date, required: true },
    payloadDigest: { type: String },
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
  },
  { collection: 'consentEvents', versionKey: false },
);

consentEventSchema.index({ position: 1 }, { unique: true });
consentEventSchema.index({ customerId: 1, seq: 1 }, { unique: true });

export const consentPayloadSchema = new Schema<ConsentPayloadRecord>(
  {
    customerId: { type: Schema.Types.ObjectId, required: true },
    salt: { type: String, required: true },
    evidence: { type: String, required: true },
  },
  { collection: 'consentPayloads', versionKey: false },
);

// Erasure deletes a customer's payloads in one command.
consentPayloadSchema.index({ customerId: 1 });

export const feedCounterSchema = new Schema<FeedCounterRecord>(
  {
    _id: { type: String, required: true },
    position: { type: Number, required: true },
  },
  { collection: 'feedCounters', versionKey: false },
);
