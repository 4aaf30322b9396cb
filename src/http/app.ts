import { randomUUID } from 'node:crypto';

import { type ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';

import {
  createContext,
  type Context,
  type ContextDeps,
  type RequestRecord,
} from '../graphql/context';
import { GatewayError, InternalServerError, UnauthenticatedError } from '../graphql/errors';
import { type Logger } from '../logger';
import { cors } from './cors';
import { type GatewayMetrics } from './metrics';
import { tokenLimit } from './query-limits';
import {
  requireTrustedDocument,
  resolveDocumentIds,
  type TrustedDocuments,
} from './trusted-documents';
import { callerOf, type RateLimiter } from './rate-limit';
import { unsubscribeRouter, type UnsubscribeLinks } from './unsubscribe';

export interface AppDeps {
  apollo: ApolloServer<Context>;
  contextDeps: ContextDeps;
  /** Resolves when the database answers; rejects or times out when it does not. */
  pingDatabase(): Promise<void>;
  /** True once a shutdown has begun: the gateway is finishing what it has, taking nothing new. */
  isStopping(): boolean;
  /** The most lexical tokens a GraphQL document may have. */
  maxTokens: number;
  logger: Logger;
  unsubscribeLinks: UnsubscribeLinks;
  /** Browser origins allowed to call (exact); none by default. */
  corsOrigins: readonly string[];
  /** Counts GraphQL requests when given. */
  metrics?: GatewayMetrics;
  /** Serve `GET /metrics` on this app (outside production, when no METRICS_PORT is set). */
  serveMetrics: boolean;
  trustedDocuments: TrustedDocuments;
  rateLimiter: RateLimiter;
  /** Proxies in front whose `X-Forwarded-For` entry is trusted for the client address. */
  trustProxyHops: number;
}

/** A GraphQL request is a query and its variables: a larger body is refused unread. */
const BODY_LIMIT = '100kb';
const READINESS_TIMEOUT_MS = 2000;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Each request gets an id (the caller's `x-request-id` when sane) that logs and errors carry. */
const assignRequestId: RequestHandler = (req, res, next) => {
  const given = req.get('x-request-id');
  const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
  res.locals.requestId = requestId;
  res.locals.requestRecord = { requestId, errorCodes: [] } satisfies RequestRecord;
  res.setHeader('x-request-id', requestId);
  next();
};

/** Browsers must not guess a response's type: every answer is JSON or the page it says. */
const noSniffing: RequestHandler = (_req, res, next) => {
  res.setHeader('x-content-type-options', 'nosniff');
  next();
};

/** Answers are personal data and change with every write: no cache may keep one. */
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('cache-control', 'no-store');
  next();
};

/**
 * One line per request once it is answered (or its connection is gone): request id, operation,
 * caller role and subject, status, duration and outcome (`ok` or the error codes). Nothing the
 * client sent goes in as text, so no personal data or token can.
 */
function logRequests(logger: Logger, metrics: GatewayMetrics | undefined): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // Read now: routing rewrites the path for mounted routers such as /graphql.
    const graphql = req.path === '/graphql';
    const record = res.locals.requestRecord as RequestRecord;
    logger.debug({ requestId: record.requestId, method: req.method }, 'request received');
    res.once('close', () => {
      const { requestId, operationName, operationType, role, subject, errorCodes } = record;
      const status = res.writableFinished ? res.statusCode : undefined;
      const outcome =
        errorCodes.length > 0
          ? [...new Set(errorCodes)].join(',')
          : status === undefined
            ? 'aborted'
            : status < 400
              ? 'ok'
              : `http ${status}`;
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (metrics && graphql) {
        metrics.observeRequest({
          operationName,
          operationType,
          outcome,
          errorCodes,
          durationSeconds: durationMs / 1000,
        });
      }
      logger.info(
        {
          requestId,
          method: req.method,
          route: req.path,
          operationName,
          role: role ?? 'anonymous',
          subject,
          status,
          durationMs,
          outcome,
        },
        'request',
      );
    });
    next();
  };
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<void>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The gateway's HTTP surface: POST /graphql, GET /healthz, GET /readyz, /unsubscribe. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // An ETag is a SHA-1 of every body, and no client revalidates a POST: pure cost.
  app.disable('etag');
  app.set('trust proxy', deps.trustProxyHops);
  app.use(
    noSniffing,
    assignRequestId,
    logRequests(deps.logger, deps.metrics),
    cors(deps.corsOrigins),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    if (deps.isStopping()) {
      res.status(503).json({ status: 'unavailable', reason: 'shutting down' });
      return;
    }
    try {
      await withTimeout(deps.pingDatabase(), READINESS_TIMEOUT_MS);
      res.json({ status: 'ready' });
    } catch (error) {
      deps.logger.warn(
        { requestId: res.locals.requestId, reason: (error as Error).message },
        'not ready: the database did not answer',
      );
      res.status(503).json({ status: 'unavailable', reason: 'database unreachable' });
    }
  });

  if (deps.metrics && deps.serveMetrics) app.get('/metrics', deps.metrics.handler);

  app.use(unsubscribeRouter(deps.unsubscribeLinks, deps.logger));

  app.use(
    '/graphql',
    noStore,
    express.json({ limit: BODY_LIMIT }),
    tokenLimit(deps.maxTokens),
    resolveDocumentIds(deps.trustedDocuments),
    expressMiddleware(deps.apollo, {
      context: async ({ req, res }) => {
        const record = res.locals.requestRecord as RequestRecord;
        try {
          const context = await createContext(deps.contextDeps, {
            record,
            authorization: req.get('authorization'),
          }).catch(async (error: unknown) => {
            // A bad token counts against its address, as an anonymous call: guessing costs too.
            if (error instanceof UnauthenticatedError) {
              await deps.rateLimiter.admit(
                callerOf({ role: 'anonymous' }, req.ip),
                record.requestId,
              );
            }
            throw error;
          });
          requireTrustedDocument(deps.trustedDocuments, context.viewer, res.locals);
          // Counted once the caller is known, before the document is even parsed.
          await deps.rateLimiter.admit(callerOf(context.viewer, req.ip), record.requestId);
          return context;
        } catch (error) {
          if (error instanceof GatewayError) {
            record.errorCodes.push(error.code);
          } else {
            record.errorCodes.push('INTERNAL_SERVER_ERROR');
            deps.logger.error(
              { requestId: record.requestId, err: error },
              'could not build a request context',
            );
            throw new InternalServerError(record.requestId);
          }
          throw error;
        }
      },
    }),
  );

  app.use((_req, res) => {
    res.status(404).json({ errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });
  });

  // Express's own errors (a malformed or oversized JSON body) answer in GraphQL's shape, with
  // no stack trace; anything unexpected is logged with the request id and kept generic.
  const handleError: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = typeof error?.status === 'number' ? error.status : 500;
    if (status >= 400 && status < 500) {
      const message =
        error.type === 'entity.too.large'
          ? 'Request body too large'
          : error.type === 'entity.parse.failed'
            ? 'Request body is not valid JSON'
            : 'Bad request';
      res.status(status).json({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    const { requestId } = res.locals;
    deps.logger.error({ requestId, err: error }, 'unhandled HTTP error');
    res.status(500).json({
      errors: [
        {
          message: 'Internal server error',
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
        },
      ],
    });
  };
  app.use(handleError);

  return app;
}
