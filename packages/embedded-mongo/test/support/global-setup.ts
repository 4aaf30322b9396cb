import { startEmbeddedServer, type EmbeddedServer } from '../../src';

declare global {
  var embeddedServer: EmbeddedServer | undefined;
}

/**
 * Points every test file at one deployment, whose URI the workers (forked after this has run)
 * read: MONGODB_URI when it is set, so that the conformance suite runs against a real mongod
 * (started with `--setParameter enableTestCommands=1`, for the fail point tests), else an
 * embedded server started here with its test commands enabled.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) {
    process.stdout.write(`\ntest database: MONGODB_URI\n`);
    return;
  }
  globalThis.embeddedServer = await startEmbeddedServer({ enableTestCommands: true });
  process.env.MONGODB_URI = globalThis.embeddedServer.uri;
  process.stdout.write(`\ntest database: embedded server at ${globalThis.embeddedServer.uri}\n`);
}
