import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const README = join(__dirname, '..', 'README.md');

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in the README. */
export function writeReadmeSection(name: string, body: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const readme = readFileSync(README, 'utf8');
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) {
    throw new Error(`README.md has no ${start} … ${end} section to write the figures into`);
  }
  writeFileSync(README, `${readme.slice(0, from + start.length)}\n${body}\n${readme.slice(to)}`);
}
