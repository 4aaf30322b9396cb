import 'reflect-metadata';

import { ConfigError, loadConfig, type Config } from './config';
import type { Gateway } from './gateway';
import { startTracing, type StopTracing } from './tracing';

// Tracing patches http, graphql and mongodb as they load, so everything that loads them (the
// logger too, through the error classes) is imported only once tracing has started.

/** For people starting the gateway by hand: where it is and how to call it straight away. */
async function printWelcome(config: Config, gateway: Gateway): Promise<void> {
  const { signDevelopmentToken } = await import('./auth/tokens');
  const { Brand } = await import('./modules/customers/brand');
  const { findDemoCustomerId } = await import('./seed/load');
  const lines = [``, `Customer profile gateway: ${gateway.url}`];
  const customerId = await findDemoCustomerId(gateway.models);
  const secret = config.auth.jwtSecret;
  if (customerId) lines.push(`Demo customer: ${customerId}`);
  // Tokens are printed only where they sign with the published development secret.
  if (secret && config.developmentDefaults && config.env === 'development') {
    const tokens = {
      customer:
        customerId && (await signDevelopmentToken(secret, { role: 'customer', sub: customerId })),
      brand: await signDevelopmentToken(secret, {
        role: 'brand',
        sub: 'waitrose-accounts',
        brand: Brand.WAITROSE,
      }),
      staff: await signDevelopmentToken(secret, { role: 'staff', sub: 'demo-staff' }),
      marketing: await signDevelopmentToken(secret, { role: 'marketing', sub: 'demo-campaigns' }),
    };
    lines.push('Development tokens (12 hours; send as "Authorization: Bearer <token>"):');
    for (const [role, token] of Object.entries(tokens)) {
      if (token) lines.push(`  ${role.padEnd(9)} ${token}`);
    }
    if (customerId) {
      lines.push(
        'Try:',
        `  curl -s ${gateway.url} -H 'content-type: application/json' \\`,
        `    -H "authorization: Bearer ${tokens.customer}" \\`,
        `    -d '{"query":"{ me { name { firstName } loyalty { eligibleDiscounts { code reason } } } }"}'`,
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

/** Start-up only: config → database → schema → HTTP; any failure exits 1. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const stopTracing: StopTracing = config.tracing
    ? await startTracing(config.tracing)
    : async () => undefined;
  const { createLogger } = await import('./logger');
  const { createGateway } = await import('./gateway');
  const { systemClock } = await import('./clock');
  const { seedIfEmpty, startOfToday } = await import('./seed/load');
  const logger = createLogger(config.logLevel);
  if (config.tracing) {
    logger.info(
      { exporter: config.tracing.exporter, serviceName: config.tracing.serviceName },
      'tracing on',
    );
  }
  if (config.developmentDefaults) {
    logger.warn(
      { host: config.host },
      'DEVELOPMENT DEFAULTS: no MONGODB_URI and no AUTH_* setting, so tokens are signed with the ' +
        'published development secret and the gateway listens on this machine only. Never ' +
        'deploy like this: set MONGODB_URI and AUTH_JWKS_URL (or AUTH_JWT_SECRET).',
    );
  }
  let gateway: Gateway;
  try {
    gateway = await createGateway(config, { logger });
  } catch (error) {
    logger.fatal({ err: error }, 'the gateway could not start');
    process.exit(1);
  }

  // Requests in flight finish (up to SHUTDOWN_GRACE_MS), then the database closes and the last
  // spans are sent; exit 0. Handled as soon as the gateway is up: a signal during the seed or
  // the welcome below would otherwise end the process with requests still in flight.
  let stopping = false;
  const shutdown = (signal: string) => {
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'stopping');
    gateway
      .stop()
      .then(stopTracing)
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'could not stop cleanly');
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  try {
    if (config.seedDemoData) {
      const seed = await seedIfEmpty(gateway.connection, gateway.models, {
        today: startOfToday(systemClock.now()),
      });
      if (seed.seeded) logger.info({ ...seed }, 'loaded the demo data into an empty database');
    }
    logger.info({ url: gateway.url, provider: gateway.database.kind }, 'gateway ready');
    await printWelcome(config, gateway);
  } catch (error) {
    // A shutdown closes the database under the seed or the welcome: the stop decides the exit.
    if (!stopping) throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
