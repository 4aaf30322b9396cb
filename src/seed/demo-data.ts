import { Types } from 'mongoose';

import { Brand, MembershipScheme } from '../modules/customers/brand';
import { type BrandAccountRecord } from '../modules/customers/brand-account.model';
import { type CustomerRecord } from '../modules/customers/customer.model';
import { normalizeEmail } from '../modules/customers/lib/email';
import { type Requested } from '../modules/preferences/lib/changes';
import { PLAIN_CHANNELS, type PlainChannel } from '../modules/preferences/lib/consents';
import { Channel, ConsentSource, ContactPurpose } from '../modules/preferences/preference.enums';
import { QuoteProduct, QuoteStatus } from '../modules/quotes/quote.enums';
import { type QuoteRecord } from '../modules/quotes/quote.model';
import { createRandom, type Random } from './random';

export const DEMO_CUSTOMER_EMAIL = 'demo.customer@example.com';

/** A customer's change to one brand's contact preferences, as they might make it. */
export interface DemoPreferenceChange {
  customerId: Types.ObjectId;
  brand: Brand;
  requested: Requested[];
  source: ConsentSource;
  evidence?: string;
}

export interface DemoData {
  customers: CustomerRecord[];
  accounts: BrandAccountRecord[];
  quotes: QuoteRecord[];
  preferences: DemoPreferenceChange[];
}

export interface DemoDataOptions {
  seed?: number;
  customers?: number;
  /** Dates are laid out backwards from this day (UTC midnight), so ages stay realistic. */
  today: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const FIRST_NAMES = [
  'Alex',
  'Sam',
  'Priya',
  'Tom',
  'Aisha',
  'James',
  'Olivia',
  'Mohammed',
  'Emma',
  'Daniel',
  'Chloe',
  'Ravi',
  'Grace',
  'Liam',
  'Sophie',
  'Noah',
  'Hannah',
  'Oscar',
  'Zara',
  'Ben',
];
const LAST_NAMES = [
  'Morgan',
  'Patel',
  'Smith',
  'Jones',
  'Khan',
  'Williams',
  'Brown',
  'Taylor',
  'Davies',
  'Evans',
  'Wilson',
  'Thomas',
  'Roberts',
  'Walker',
  'Wright',
  'Hughes',
  'Green',
  'Hall',
];
const TITLES = ['Mr', 'Ms', 'Mrs', 'Dr', 'Mx', undefined];
const PLACES = [
  { town: 'London', postcode: 'SW1A 1AA' },
  { town: 'Manchester', postcode: 'M1 1AE' },
  { town: 'Bristol', postcode: 'BS1 4DJ' },
  { town: 'Leeds', postcode: 'LS1 4AP' },
  { town: 'Edinburgh', postcode: 'EH1 1YZ' },
  { town: 'Cardiff', postcode: 'CF10 1EP' },
  { town: 'Oxford', postcode: 'OX1 2JD' },
  { town: 'Cambridge', postcode: 'CB2 1TN' },
];
const STREETS = ['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Mill Lane'];
const TIERS = ['Standard', 'Silver', 'Gold'];
/** Typical annual premiums in pence, lowest and highest, per product. */
const PREMIUM_RANGE: Record<QuoteProduct, [number, number]> = {
  [QuoteProduct.HOME]: [12_000, 45_000],
  [QuoteProduct.CAR]: [30_000, 140_000],
  [QuoteProduct.PET]: [8_000, 60_000],
  [QuoteProduct.TRAVEL]: [2_500, 25_000],
  [QuoteProduct.LIFE]: [9_000, 80_000],
};
const ACCOUNT_PREFIX: Record<Brand, string> = {
  [Brand.JOHN_LEWIS]: 'JL',
  [Brand.WAITROSE]: 'WR',
  [Brand.JOHN_LEWIS_FINANCE]: 'JLF',
};
const SCHEME_OF: Partial<Record<Brand, MembershipScheme>> = {
  [Brand.JOHN_LEWIS]: MembershipScheme.MY_JOHN_LEWIS,
  [Brand.WAITROSE]: MembershipScheme.MY_WAITROSE,
};

/** Ids that depend only on the kind and position, so the data set is the same every run. */
function demoId(kind: number, index: number): Types.ObjectId {
  const hex = `64000000${kind.toString(16).padStart(2, '0')}${index.toString(16).padStart(14, '0')}`;
  return new Types.ObjectId(hex);
}

function daysBefore(today: Date, days: number): Date {
  return new Date(today.getTime() - days * DAY_MS);
}

interface Builder {
  random: Random;
  today: Date;
  data: DemoData;
  quoteCount: number;
}

function addQuote(
  builder: Builder,
  customer: CustomerRecord,
  product: QuoteProduct,
  status: QuoteStatus,
  ageDays: number,
): void {
  const { random, today, data } = builder;
  const index = builder.quoteCount++;
  const [low, high] = PREMIUM_RANGE[product];
  const createdAt = new Date(daysBefore(today, ageDays).getTime() + random.int(8, 20) * 3_600_000);
  data.quotes.push({
    _id: demoId(3, index),
    customerId: customer._id,
    brand: Brand.JOHN_LEWIS_FINANCE,
    reference: `JLF-Q-${String(index + 1).padStart(6, '0')}`,
    product,
    status,
    premium: { amountMinor: random.int(low, high), currency: 'GBP' },
    createdAt,
    validUntil: new Date(createdAt.getTime() + 30 * DAY_MS),
    recordedAt: createdAt,
    updatedAt: createdAt,
  });
}

function addAccount(
  builder: Builder,
  customer: CustomerRecord,
  brand: Brand,
  membershipAgeDays: number | undefined,
): void {
  const { random, today, data } = builder;
  const index = data.accounts.length;
  const scheme = SCHEME_OF[brand];
  data.accounts.push({
    _id: demoId(2, index),
    brand,
    accountId: `${ACCOUNT_PREFIX[brand]}-${String(100_000 + index)}`,
    customerId: customer._id,
    // Brands hold the email as the person typed it there; linking ignores case and spaces.
    email: random.chance(0.2) ? customer.email.toUpperCase() : customer.email,
    // Every demo account was linked by a confirmed email.
    emailVerified: true,
    membership:
      scheme && membershipAgeDays !== undefined
        ? {
            scheme,
            number: `${scheme === MembershipScheme.MY_WAITROSE ? 'MW' : 'MJL'}${900_000 + index}`,
            since: daysBefore(today, membershipAgeDays),
            tier: random.pick(TIERS),
          }
        : undefined,
    reported: { name: customer.name, postalAddress: customer.postalAddress },
    linkedAt: customer.createdAt,
    updatedAt: customer.createdAt,
  });
}

function addCustomer(builder: Builder, index: number, email?: string): CustomerRecord {
  const { random, today, data } = builder;
  const firstName = random.pick(FIRST_NAMES);
  const lastName = random.pick(LAST_NAMES);
  const place = random.pick(PLACES);
  const createdAt = daysBefore(today, random.int(30, 3000));
  const emailAddress = (email ?? `${firstName}.${lastName}.${index}@example.com`).toLowerCase();
  const customer: CustomerRecord = {
    _id: demoId(1, index),
    name: { title: random.pick(TITLES), firstName, lastName },
    email: emailAddress,
    emailNormalized: normalizeEmail(emailAddress),
    verifiedEmail: normalizeEmail(emailAddress),
    postalAddress: random.chance(0.85)
      ? {
          line1: `${random.int(1, 200)} ${random.pick(STREETS)}`,
          town: place.town,
          postcode: place.postcode,
          country: 'GB',
        }
      : undefined,
    createdAt,
    updatedAt: createdAt,
  };
  data.customers.push(customer);
  return customer;
}

const channel = (name: PlainChannel) => ({ kind: 'channel', channel: name }) as const;

/** The demo customer has said yes and no in different places, so every rule shows. */
function addDemoPreferences(builder: Builder, demo: CustomerRecord): void {
  const customerId = demo._id;
  builder.data.preferences.push(
    {
      customerId,
      brand: Brand.JOHN_LEWIS,
      requested: [
        { subject: channel(Channel.EMAIL), granted: true },
        { subject: channel(Channel.POST), granted: false },
        { subject: { kind: 'push', topic: 'OFFERS' }, granted: true },
      ],
      source: ConsentSource.WEB,
    },
    {
      customerId,
      brand: Brand.WAITROSE,
      requested: [
        { subject: channel(Channel.EMAIL), granted: true },
        { subject: { kind: 'push', topic: 'RECIPES' }, granted: true },
        { subject: { kind: 'switch', purpose: ContactPurpose.THIRD_PARTY_OFFERS }, granted: true },
      ],
      source: ConsentSource.APP,
      evidence: 'Waitrose app 5.2.1 (iOS)',
    },
    {
      customerId,
      brand: Brand.WAITROSE,
      requested: [{ subject: channel(Channel.EMAIL), granted: false }],
      source: ConsentSource.WEB,
    },
    {
      customerId,
      brand: Brand.JOHN_LEWIS_FINANCE,
      requested: [
        { subject: channel(Channel.PHONE), granted: false },
        { subject: { kind: 'switch', purpose: ContactPurpose.QUOTE_FOLLOW_UP }, granted: true },
      ],
      source: ConsentSource.WEB,
    },
  );
}

function addRandomPreferences(builder: Builder, customer: CustomerRecord, brand: Brand): void {
  const { random } = builder;
  const requested = PLAIN_CHANNELS.filter(() => random.chance(0.5)).map((name) => ({
    subject: channel(name),
    granted: random.chance(0.6),
  }));
  if (requested.length === 0) return;
  builder.data.preferences.push({
    customerId: customer._id,
    brand,
    requested,
    source: random.pick([ConsentSource.WEB, ConsentSource.APP]),
  });
}

/**
 * A realistic demo data set: some customers at two or three brands, memberships of different
 * ages (either side of three years), and quotes in every product and status. The first
 * customer is the demo customer, who qualifies for every loyalty rule.
 */
export function generateDemoData(options: DemoDataOptions): DemoData {
  const builder: Builder = {
    random: createRandom(options.seed ?? 20240501),
    today: options.today,
    data: { customers: [], accounts: [], quotes: [], preferences: [] },
    quoteCount: 0,
  };
  const { random } = builder;

  const demo = addCustomer(builder, 0, DEMO_CUSTOMER_EMAIL);
  addAccount(builder, demo, Brand.JOHN_LEWIS, 6 * 365);
  addAccount(builder, demo, Brand.WAITROSE, 2 * 365);
  addAccount(builder, demo, Brand.JOHN_LEWIS_FINANCE, undefined);
  const statuses = Object.values(QuoteStatus);
  Object.values(QuoteProduct).forEach((product, position) => {
    addQuote(builder, demo, product, statuses[position % statuses.length], 20 + position * 45);
  });

  addDemoPreferences(builder, demo);

  for (let index = 1; index < (options.customers ?? 300); index++) {
    const customer = addCustomer(builder, index);
    const brands = random.sample(Object.values(Brand), random.pick([1, 1, 2, 2, 3]));
    for (const brand of brands) {
      const member = SCHEME_OF[brand] !== undefined && random.chance(0.7);
      addAccount(builder, customer, brand, member ? random.int(10, 12 * 365) : undefined);
      if (random.chance(0.15)) addRandomPreferences(builder, customer, brand);
    }
    for (let count = random.int(0, 6); count > 0; count--) {
      addQuote(
        builder,
        customer,
        random.pick(Object.values(QuoteProduct)),
        random.pick(statuses),
        random.int(1, 4 * 365),
      );
    }
  }
  return builder.data;
}
