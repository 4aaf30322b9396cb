import 'reflect-metadata';

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { signDevelopmentToken } from '../src/auth/tokens';
import { loadConfig } from '../src/config';
import { createGateway } from '../src/gateway';
import { describeSoak, runSoak } from './soak';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CALLERS = Number(process.env.SOAK_CALLERS ?? 20);

/**
 * The embedded database in a process of its own, so that the heap figures are the gateway's
 * (an in-memory database in this process would grow with every event stored).
 */
async function startDatabaseProcess() {
  const child = spawn(
    process.execPath,
    // The package's own command, built by its `prepare` on npm install.
    [
      path.join(
        path.dirname(require.resolve('@customer-profile/embedded-mongo/package.json')),
        'dist/cli.js',
      ),
    ],
    {
      env: { PATH: process.env.PATH, EMBEDDED_MONGO_PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('mongodb://')) return { uri: line, stop: () => child.kill('SIGTERM') };
  }
  throw new Error('the embedded database did not start');
}

/** `npm run soak`: a gateway on loopback, SOAK_CALLERS callers for SOAK_SECONDS, then the checks. */
async function main(): Promise<void> {
  const database = process.env.MONGODB_URI ? undefined : await startDatabaseProcess();
  const secret = randomBytes(32).toString('hex');
  const config = loadConfig({
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SEED_DEMO_DATA: 'false',
    MONGODB_URI: process.env.MONGODB_URI ?? database?.uri,
    MONGODB_DATABASE: `soak_${Date.now()}`,
    AUTH_JWT_SECRET: secret,
    UNSUBSCRIBE_SECRET: randomBytes(32).toString('hex'),
    // Every request is still counted; the soak's callers are many, from one address.
    RATE_LIMIT_ANONYMOUS: '100000000',
    RATE_LIMIT_CUSTOMER: '100000000',
    RATE_LIMIT_BRAND: '100000000',
    RATE_LIMIT_STAFF: '100000000',
    RATE_LIMIT_MARKETING: '100000000',
  });
  const gateway = await createGateway(config);
  try {
    const report = await runSoak({
      url: gateway.url,
      sign: (claims) => signDevelopmentToken(secret, claims, '1h'),
      durationMs: SECONDS * 1000,
      callers: CALLERS,
    });
    process.stdout.write(`${describeSoak(report)}\n`);
    process.exitCode = report.problems.length === 0 ? 0 : 1;
  } finally {
    await gateway.connection.dropDatabase().catch(() => undefined);
    await gateway.stop();
    if (database) {
      database.stop();
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
