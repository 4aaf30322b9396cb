import { Schema, type Types } from 'mongoose';

import { Brand } from './brand';

export enum PossibleMatchStatus {
  OPEN = 'OPEN',
  LINKED = 'LINKED',
  DISMISSED = 'DISMISSED',
}

/**
 * A new account that was not linked by email because the brand had not confirmed the address,
 * while another customer holds the same address: staff decide whether they are one person.
 */
export interface PossibleMatchRecord {
  _id: Types.ObjectId;
  brand: Brand;
  accountId: string;
  /** The customer made for the account. */
  customerId: Types.ObjectId;
  /** The customer that holds the same email. */
  candidateId: Types.ObjectId;
  detectedAt: Date;
  status: PossibleMatchStatus;
  /** The staff member's token subject. */
  resolvedBy?: string;
  resolvedAt?: Date;
}

export const POSSIBLE_MATCH_MODEL = 'PossibleMatch';

export const possibleMatchSchema = new Schema<PossibleMatchRecord>(
  {
    brand: { type: String, enum: Object.values(Brand), required: true },
    accountId: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    candidateId: { type: Schema.Types.ObjectId, required: true },
    detectedAt: { type: Date, required: true },
    status: { type: String, enum: Object.values(PossibleMatchStatus), required: true },
    resolvedBy: { type: String },
    resolvedAt: { type: Date },
  },
  { collection: 'possibleMatches', versionKey: false },
);

// The staff queue: open matches, oldest first.
possibleMatchSchema.index({ status: 1, _id: 1 });
possibleMatchSchema.index({ brand: 1, accountId: 1 });
