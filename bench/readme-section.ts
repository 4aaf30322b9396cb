import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { format, resolveConfig } from 'prettier';

const ROOT_README = join(__dirname, '..', 'README.md');

/**
 * Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in `readme` (the root
 * README unless told), then formats it as the lint step expects.
 */
export async function writeReadmeSection(
  name: string,
  body: string,
  readme = ROOT_README,
): Promise<void> {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const text = readFileSync(readme, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) {
    throw new Error(`${readme} has no ${start} … ${end} section to write the figures into`);
  }
  const updated = `${text.slice(0, from + start.length)}\n\n${body}\n\n${text.slice(to)}`;
  const options = (await resolveConfig(readme)) ?? {};
  writeFileSync(readme, await format(updated, { ...options, filepath: readme }));
}
