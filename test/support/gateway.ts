import { loadConfig } from '../../src/config';
import { createGateway, type Gateway } from '../../src/gateway';
import { type Logger } from '../../src/logger';
import { GraphQLClient } from './client';
import { createTestClock, type TestClock } from './clock';
import { testDatabaseUri, uniqueDatabaseName } from './database';
import { TEST_ISSUER, TEST_JWT_SECRET, TEST_UNSUBSCRIBE_SECRET } from './tokens';

export interface TestGateway {
  gateway: Gateway;
  client: GraphQLClient;
  clock: TestClock;
  /** The base URL, for plain HTTP routes such as /healthz. */
  baseUrl: string;
  stop(): Promise<void>;
}

export interface TestGatewayOptions {
  /** Extra environment, on top of a test configuration on the shared test database. */
  env?: NodeJS.ProcessEnv;
  monitorCommands?: boolean;
  /** A logger of the test's own (to capture what the gateway logs). */
  logger?: Logger;
}

/**
 * Rate limits no ordinary test comes near, so that tests never depend on each other's pace;
 * test/hardening/rate-limits.test.ts sets small ones of its own.
 */
const GENEROUS_RATE_LIMITS = {
  RATE_LIMIT_ANONYMOUS: '1000000',
  RATE_LIMIT_CUSTOMER: '1000000',
  RATE_LIMIT_BRAND: '1000000',
  RATE_LIMIT_STAFF: '1000000',
  RATE_LIMIT_MARKETING: '1000000',
};

/**
 * The gateway as `npm start` wires it, on port 0, against the test database under a database
 * name of its own, with a clock the test can pin.
 */
export async function startTestGateway(
  prefix: string,
  options: TestGatewayOptions = {},
): Promise<TestGateway> {
  const config = loadConfig({
    NODE_ENV: 'test',
    MONGODB_URI: testDatabaseUri(),
    MONGODB_DATABASE: uniqueDatabaseName(prefix),
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SEED_DEMO_DATA: 'false',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    AUTH_JWT_ISSUER: TEST_ISSUER,
    UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET,
    PUBLIC_URL: 'http://localhost',
    ...GENEROUS_RATE_LIMITS,
    ...options.env,
  });
  const clock = createTestClock();
  const gateway = await createGateway(config, {
    clock,
    monitorCommands: options.monitorCommands,
    logger: options.logger,
  });
  return {
    gateway,
    client: new GraphQLClient(gateway.url),
    clock,
    baseUrl: gateway.url.replace(/\/graphql$/, ''),
    stop: async () => {
      await gateway.connection.dropDatabase().catch(() => undefined);
      await gateway.stop();
    },
  };
}
