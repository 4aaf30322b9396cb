import { randomBytes } from 'node:crypto';

/** The URI of the database that the global setup started for this run. */
export function testDatabaseUri(): string {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set: run the tests through jest (global setup)');
  return uri;
}

/** A database name no other test file uses, so files never see each other's data. */
export function uniqueDatabaseName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}
