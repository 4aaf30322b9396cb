import 'reflect-metadata';

import { writeFileSync } from 'node:fs';

import { buildApiSchema, printApiSchema, SCHEMA_FILE } from './schema';

/** `npm run schema`: rewrites schema/schema.graphql from the code. */
async function main(): Promise<void> {
  writeFileSync(SCHEMA_FILE, printApiSchema(await buildApiSchema()));
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
