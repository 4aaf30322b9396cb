import { readFileSync } from 'node:fs';

import { type z } from 'zod';

/**
 * Business data the gateway ships as JSON (loyalty rules, push topics), or the file a setting
 * names instead, checked against `schema` once at start-up. Every problem is reported together
 * through `fail`, so a bad file stops the gateway with one message.
 */
export function loadDataFile<T extends z.ZodType>(options: {
  file?: string;
  shipped: unknown;
  shippedName: string;
  schema: T;
  fail(message: string): Error;
}): z.output<T> {
  const { file, schema, fail } = options;
  let raw = options.shipped;
  if (file) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw fail(`${file}: ${(error as Error).message}`);
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
    throw fail(`${file ?? options.shippedName}:\n  - ${problems.join('\n  - ')}`);
  }
  return parsed.data;
}
