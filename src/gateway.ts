import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

import { type Connection } from 'mongoose';

import { createTokenVerifier } from './auth/verify-token';
import { systemClock, type Clock } from './clock';
import { type Config } from './config';
import { openConnection } from './db/connection';
import { createModels, ensureIndexes, type Models } from './db/models';
import { startDatabase, type DatabaseHandle } from './db/provider';
import { buildGatewaySchema } from './graphql/schema';
import { createApolloServer } from './http/apollo';
import { createApp } from './http/app';
import { createMetricsServer, GatewayMetrics } from './http/metrics';
import { loadTrustedDocuments } from './http/trusted-documents';
import { createRateLimiter, RATE_LIMIT_COLLECTION, type RateLimitCounter } from './http/rate-limit';
import { createLogger, type Logger } from './logger';
import { UnsubscribeService } from './modules/opt-outs/unsubscribe.service';
import { loadLoyaltyRules } from './modules/loyalty/lib/rules';
import { loadPushTopics } from './modules/preferences/lib/push-topics';
import { ensureConsentFeed } from './modules/preferences/preference.service';

export interface GatewayOptions {
  logger?: Logger;
  /** Business time (loyalty rules, timestamps); tests pin it. Tokens always use real time. */
  clock?: Clock;
  /** Emit the driver's command events on `connection.getClient()`; tests count commands. */
  monitorCommands?: boolean;
}

/** A running gateway: everything start-up made, and one way to stop it all. */
export interface Gateway {
  url: string;
  port: number;
  database: DatabaseHandle;
  connection: Connection;
  models: Models;
  logger: Logger;
  /** The HTTP server, for tests that watch connections and requests arrive. */
  httpServer: Server;
  /** The port of the separate metrics server, when `METRICS_PORT` asked for one. */
  metricsPort?: number;
  /**
   * Stops gracefully: /readyz answers 503 at once, no new connections are accepted, requests
   * in flight finish (within the configured grace period), then the database connection closes.
   */
  stop(): Promise<void>;
}

/**
 * The whole start-up, shared by `main.ts` and the tests: database → connection and indexes →
 * schema → HTTP server on `config.port` (0 picks a free port). Whatever started before a
 * failure is stopped again before the error is rethrown.
 */
export async function createGateway(
  config: Config,
  options: GatewayOptions = {},
): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const loyaltyRules = loadLoyaltyRules(config.loyaltyRulesFile);
  const pushTopics = loadPushTopics(config.pushTopicsFile);
  const trustedDocuments = loadTrustedDocuments(config.trustedDocuments);
  const cleanups: (() => Promise<void>)[] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };

  try {
    const database = await startDatabase(config.database, logger);
    cleanups.push(() => database.stop());
    const metrics = config.metrics === 'off' ? undefined : new GatewayMetrics();
    const connection = await openConnection(database.uri, config.database.databaseName, {
      // Command latency metrics come from the driver's command events.
      monitorCommands: options.monitorCommands || metrics !== undefined,
      timeoutMs: config.databaseTimeoutMs,
      logger,
      watchClient: metrics && ((client) => metrics.watchDatabase(client)),
    });
    cleanups.push(() => connection.close());
    const models = createModels(connection);
    await ensureIndexes(models);
    await ensureConsentFeed(models);
    const rateLimiter = createRateLimiter(
      connection
        .getClient()
        .db(config.database.databaseName)
        .collection<RateLimitCounter>(RATE_LIMIT_COLLECTION),
      config.rateLimits,
      logger,
    );
    await rateLimiter.ensureIndex();
    // Stopped after the HTTP server has drained, so the last requests' counts are shared too.
    cleanups.push(() => rateLimiter.close());

    // Created before Apollo so that Apollo's drain plugin can stop it gracefully.
    const httpServer = createServer();
    const apollo = createApolloServer(await buildGatewaySchema(), logger, {
      production: config.env === 'production',
      limits: config.limits,
      httpServer,
      shutdownGraceMs: config.shutdownGraceMs,
    });
    await apollo.start();
    // Stopping Apollo drains the HTTP server first: it stops listening, closes idle
    // connections, lets requests in flight finish, and cuts what remains after the grace period.
    cleanups.push(() => apollo.stop());

    const app = createApp({
      apollo,
      logger,
      contextDeps: {
        connection,
        models,
        clock,
        logger,
        loyaltyRules,
        dateBounds: config.dateBounds,
        pushTopics,
        unsubscribe: config.unsubscribe,
        verifyToken: createTokenVerifier(config.auth, logger),
      },
      unsubscribeLinks: new UnsubscribeService({
        models,
        connection,
        clock,
        ...config.unsubscribe,
      }),
      pingDatabase: async () => {
        await connection.getClient().db(config.database.databaseName).command({ ping: 1 });
      },
      isStopping: () => stopping,
      maxTokens: config.limits.tokens,
      corsOrigins: config.corsOrigins,
      metrics,
      serveMetrics: config.metrics === 'gateway-port',
      trustedDocuments,
      rateLimiter,
      trustProxyHops: config.trustProxyHops,
    });
    httpServer.on('request', app);
    httpServer.listen(config.port, config.host);
    await once(httpServer, 'listening');
    const { port } = httpServer.address() as AddressInfo;
    let metricsPort: number | undefined;
    if (metrics && typeof config.metrics === 'object') {
      const metricsServer = createMetricsServer(metrics, logger);
      metricsServer.listen(config.metrics.port, config.host);
      cleanups.push(async () => {
        const closed = new Promise<void>((resolve) => metricsServer.close(() => resolve()));
        // A scraper's keep-alive connection would otherwise hold the close open.
        metricsServer.closeAllConnections();
        await closed;
      });
      await once(metricsServer, 'listening');
      metricsPort = (metricsServer.address() as AddressInfo).port;
    }
    const host = config.host === undefined || config.host === '0.0.0.0' ? 'localhost' : config.host;
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/graphql`,
      port,
      database,
      connection,
      models,
      logger,
      httpServer,
      metricsPort,
      stop,
    };
  } catch (error) {
    await stop().catch((cleanupError: unknown) => {
      logger.error({ err: cleanupError }, 'could not stop what had started');
    });
    throw error;
  }
}
