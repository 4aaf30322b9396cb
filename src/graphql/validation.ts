import { type z } from 'zod';

import { BadUserInputError } from './errors';

/**
 * Parses a client's input with a zod schema; the first problem becomes a BAD_USER_INPUT naming
 * the field as the client wrote it (`input.membership.since`), before anything is written.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
  root: string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = [root, ...issue.path.map(String)].filter((part) => part !== '').join('.');
  throw new BadUserInputError(field, issue.message);
}
