/** MongoDB's code for a write that a unique index refused. */
const DUPLICATE_KEY = 11000;

/** True when a unique index refused the write: another request got there first. */
export function isDuplicateKeyError(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === DUPLICATE_KEY;
}
