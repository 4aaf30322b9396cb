import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The node flags the gateway's image starts it with, read from the Dockerfile's `CMD`, so the
 * bench runs the gateway exactly as it ships.
 */
export function imageNodeFlags(root: string): string[] {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  // The exec-form CMD at the start of a line: the healthcheck's CMD is indented.
  const match = /^CMD (\[.*\])$/m.exec(dockerfile);
  const command = match ? (JSON.parse(match[1]) as string[]) : [];
  if (command[0] !== 'node' || command.at(-1) !== 'dist/src/main.js') {
    throw new Error(`the Dockerfile's CMD is not node … dist/src/main.js: ${match?.[1]}`);
  }
  return command.slice(1, -1);
}
