import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { format, resolveConfig } from 'prettier';

const README = join(__dirname, '..', 'README.md');

/**
 * Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in the README, then
 * formats it as the lint step expects.
 */
export async function writeReadmeSection(name: string, body: string): Promise<void> {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const readme = readFileSync(README, 'utf8');
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) {
    throw new Error(`README.md has no ${start} … ${end} section to write the figures into`);
  }
  const updated = `${readme.slice(0, from + start.length)}\n\n${body}\n\n${readme.slice(to)}`;
  const options = (await resolveConfig(README)) ?? {};
  writeFileSync(README, await format(updated, { ...options, filepath: README }));
}
