import 'reflect-metadata';

import { loadConfig } from '../../src/config';
import { createGateway } from '../../src/gateway';
import { reportToParent } from './control';

/**
 * The gateway as shipped, started the way main.ts starts it, from the environment the bench
 * gives: NODE_ENV=production, MONGODB_URI, the secrets.
 */
async function main(): Promise<void> {
  const gateway = await createGateway(loadConfig(process.env));
  reportToParent(gateway.port);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
