#!/usr/bin/env node
import { startEmbeddedServer } from './server';

const DEFAULT_PORT = 27017;

/** EMBEDDED_MONGO_PORT as a port number (0 picks a free one); MongoDB's own port when unset. */
function portFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`EMBEDDED_MONGO_PORT: expected a port number (0-65535), got "${value}"`);
  }
  return port;
}

/** EMBEDDED_MONGO_ENABLE_TEST_COMMANDS: `1` or `true` turns them on; unset, `0` or `false` off. */
function testCommandsFrom(value: string | undefined): boolean {
  const text = value?.trim().toLowerCase() ?? '';
  if (text === '1' || text === 'true') return true;
  if (text === '' || text === '0' || text === 'false') return false;
  throw new Error(
    `EMBEDDED_MONGO_ENABLE_TEST_COMMANDS: expected 1, 0, true or false, got "${value}"`,
  );
}

/** `embedded-mongo`: the server on its own; prints its URI for the driver, mongosh or an app. */
async function main(): Promise<void> {
  const dataDir = process.env.EMBEDDED_MONGO_DATA?.trim() || undefined;
  const enableTestCommands = testCommandsFrom(process.env.EMBEDDED_MONGO_ENABLE_TEST_COMMANDS);
  const server = await startEmbeddedServer({
    port: portFrom(process.env.EMBEDDED_MONGO_PORT),
    dataDir,
    enableTestCommands,
  });
  const persistence = dataDir ? `persisting to ${dataDir}` : 'in memory only';
  const testCommands = enableTestCommands ? ', test commands enabled: not for real data' : '';
  process.stdout.write(
    `embedded development database (${persistence}${testCommands})\n${server.uri}\n`,
  );
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
