import { ConflictError } from '../graphql/errors';

/** MongoDB's code for a write that a unique index refused. */
const DUPLICATE_KEY = 11000;

/** True when a unique index refused the write: another request got there first. */
export function isDuplicateKeyError(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === DUPLICATE_KEY;
}

/**
 * Runs a find-or-create write; when a concurrent request created the same record first (a
 * duplicate key), runs it once more, which now finds that record. A second duplicate means the
 * race goes on: the caller gets a CONFLICT to retry rather than an internal error.
 */
export async function retryOnDuplicateKey<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  try {
    return await write();
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    throw new ConflictError('A concurrent report of the same record is in progress; retry');
  }
}

// MongoDB's duplicate-key message names the key's value after "dup key:" (an email address,
// say), and a value may hold a newline: everything from there to the end of the message goes.
const DUPLICATE_KEY_VALUE = /dup key:[\s\S]*$/;

/** A MongoDB error message without the duplicate key's value, safe to log. */
export function redactDuplicateKey(message: string): string {
  return message.replace(DUPLICATE_KEY_VALUE, 'dup key: [redacted]');
}
