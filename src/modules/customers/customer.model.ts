import { Schema, type Types } from 'mongoose';

export interface PersonNameRecord {
  title?: string;
  firstName: string;
  lastName: string;
}

export interface PostalAddressRecord {
  line1: string;
  line2?: string;
  town: string;
  postcode: string;
  country: string;
}

export interface CustomerRecord {
  _id: Types.ObjectId;
  name: PersonNameRecord;
  email: string;
  /** `normalizeEmail` (lib/email.ts) of `email`: how possible matches are found. Not unique. */
  emailNormalized: string;
  /**
   * `emailNormalized`, present only once a brand has confirmed the address: the identity key
   * that links new accounts by email. Unique among the customers that have one.
   */
  verifiedEmail?: string;
  /** Set when staff linked this customer's last account to another customer. */
  mergedInto?: Types.ObjectId;
  postalAddress?: PostalAddressRecord;
  createdAt: Date;
  updatedAt: Date;
}

export const CUSTOMER_MODEL = 'Customer';

export const personNameSchema = new Schema<PersonNameRecord>(
  {
    title: { type: String },
    firstName: { type: String, required: true },
    lastName: { type: String, required: true },
  },
  { _id: false },
);

export const postalAddressSchema = new Schema<PostalAddressRecord>(
  {
    line1: { type: String, required: true },
    line2: { type: String },
    town: { type: String, required: true },
    postcode: { type: String, required: true },
    country: { type: String, required: true },
  },
  { _id: false },
);

export const customerSchema = new Schema<CustomerRecord>(
  {
    name: { type: personNameSchema, required: true },
    email: { type: String, required: true },
    emailNormalized: { type: String, required: true },
    verifiedEmail: { type: String },
    mergedInto: { type: Schema.Types.ObjectId },
    postalAddress: { type: postalAddressSchema },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'customers', versionKey: false },
);

// An unconfirmed address may be shared (someone may type another's email at a brand that does
// not check it); a confirmed one names one person.
customerSchema.index({ emailNormalized: 1 });
customerSchema.index({ verifiedEmail: 1 }, { unique: true, sparse: true });
