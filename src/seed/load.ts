import { type Connection } from 'mongoose';

import { type Models } from '../db/models';
import { runTransaction } from '../db/transaction';
import { writeFirstPreferencesInSession } from '../modules/preferences/preference.service';
import { DEMO_CUSTOMER_EMAIL, generateDemoData, type DemoDataOptions } from './demo-data';
import { normalizeEmail } from '../modules/customers/lib/email';

export interface SeedResult {
  seeded: boolean;
  customers: number;
  accounts: number;
  quotes: number;
  preferenceChanges: number;
}

/** Loads the demo data set in one transaction, so a failed seed leaves the database empty. */
export async function loadDemoData(
  connection: Connection,
  models: Models,
  options: DemoDataOptions,
): Promise<SeedResult> {
  const data = generateDemoData(options);
  const preferences = data.preferences.map((change) => ({
    ...change,
    actor: { role: 'customer' as const, subject: change.customerId.toHexString() },
  }));
  await runTransaction(connection, async (session) => {
    // Inserted as generated, without mongoose's casting and validation of each document (most
    // of the seed's time): test/seed/demo-data.test.ts holds that every record validates and is
    // stored exactly as a validated insert stores it. An absent field stays absent, not null.
    const asGenerated = { session, lean: true, ignoreUndefined: true };
    await models.Customer.insertMany(data.customers, asGenerated);
    await models.BrandAccount.insertMany(data.accounts, asGenerated);
    await models.Quote.insertMany(data.quotes, asGenerated);
    // As each customer's own API writes would store them, chained and fed, in one batch.
    await writeFirstPreferencesInSession(
      { models, clock: { now: () => options.today } },
      preferences,
      session,
    );
  });
  return {
    seeded: true,
    customers: data.customers.length,
    accounts: data.accounts.length,
    quotes: data.quotes.length,
    preferenceChanges: data.preferences.length,
  };
}

/** Seeds only a database without customers: a restart never duplicates or overwrites data. */
export async function seedIfEmpty(
  connection: Connection,
  models: Models,
  options: DemoDataOptions,
): Promise<SeedResult> {
  if ((await models.Customer.estimatedDocumentCount()) > 0) {
    return { seeded: false, customers: 0, accounts: 0, quotes: 0, preferenceChanges: 0 };
  }
  return loadDemoData(connection, models, options);
}

/** The demo customer's id, or any customer's when the demo one is not there. */
export async function findDemoCustomerId(models: Models): Promise<string | undefined> {
  const demo =
    (await models.Customer.findOne({ emailNormalized: normalizeEmail(DEMO_CUSTOMER_EMAIL) })
      .select({ _id: 1 })
      .lean()) ?? (await models.Customer.findOne().select({ _id: 1 }).lean());
  return demo?._id.toHexString();
}

/** Today at UTC midnight: the demo data's dates are counted back from it. */
export function startOfToday(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
