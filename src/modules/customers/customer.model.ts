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
  /** The identity key that links brand accounts: see `normalizeEmail` (lib/email.ts). Unique. */
  emailNormalized: string;
  postalAddress?: PostalAddressRecord;
  createdAt: Date;
  updatedAt: Date;
}

export const CUSTOMER_MODEL = 'Customer';

const personNameSchema = new Schema<PersonNameRecord>(
  {
    title: { type: String },
    firstName: { type: String, required: true },
    lastName: { type: String, required: true },
  },
  { _id: false },
);

const postalAddressSchema = new Schema<PostalAddressRecord>(
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
    postalAddress: { type: postalAddressSchema },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'customers', versionKey: false },
);

customerSchema.index({ emailNormalized: 1 }, { unique: true });
