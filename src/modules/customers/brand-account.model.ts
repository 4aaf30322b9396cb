import { Schema, type Types } from 'mongoose';

import { Brand, MembershipScheme } from './brand';
import {
  personNameSchema,
  postalAddressSchema,
  type PersonNameRecord,
  type PostalAddressRecord,
} from './customer.model';

export interface MembershipRecord {
  scheme: MembershipScheme;
  number: string;
  /** The day the membership began, at UTC midnight. */
  since: Date;
  tier?: string;
}

/** A customer's account at one brand, as that brand's account system last reported it. */
export interface BrandAccountRecord {
  _id: Types.ObjectId;
  brand: Brand;
  accountId: string;
  customerId: Types.ObjectId;
  email: string;
  /** The brand said it confirmed `email` when it last reported the account. */
  emailVerified: boolean;
  membership?: MembershipRecord;
  /**
   * The profile this account reported last time. A later report changes the customer's name or
   * address only where it differs from this: see the README's profile rule.
   */
  reported?: { name: PersonNameRecord; postalAddress?: PostalAddressRecord };
  linkedAt: Date;
  updatedAt: Date;
}

export const BRAND_ACCOUNT_MODEL = 'BrandAccount';

const membershipSchema = new Schema<MembershipRecord>(
  {
    scheme: { type: String, enum: Object.values(MembershipScheme), required: true },
    number: { type: String, required: true },
    since: { type: Date, required: true },
    tier: { type: String },
  },
  { _id: false },
);

export const brandAccountSchema = new Schema<BrandAccountRecord>(
  {
    brand: { type: String, enum: Object.values(Brand), required: true },
    accountId: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    email: { type: String, required: true },
    emailVerified: { type: Boolean, required: true },
    membership: { type: membershipSchema },
    reported: {
      type: new Schema(
        { name: { type: personNameSchema, required: true }, postalAddress: postalAddressSchema },
        { _id: false },
      ),
    },
    linkedAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'brandAccounts', versionKey: false },
);

brandAccountSchema.index({ brand: 1, accountId: 1 }, { unique: true });
brandAccountSchema.index({ customerId: 1 });
