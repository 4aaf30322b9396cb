import { type Server } from 'node:http';

import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { type GraphQLSchema } from 'graphql';

import { type QueryLimits } from '../config';
import { type Context } from '../graphql/context';
import { ControlCharacterError } from '../graphql/errors';
import { findControlCharacter } from '../graphql/text-inputs';
import { type Logger } from '../logger';
import { formatError, isExpectedError } from './format-error';
import { graphiqlLandingPage } from './graphiql';
import { costLimitPlugin, queryLimitRules } from './query-limits';

export interface ApolloOptions {
  /**
   * Production: no introspection, validation errors without "Did you mean …", and no IDE
   * (elsewhere a browser's `GET /graphql` opens GraphiQL).
   */
  production: boolean;
  limits: QueryLimits;
  /** The HTTP server Apollo drains on stop: requests in flight finish, idle sockets close. */
  httpServer: Server;
  /** How long requests in flight may take once a stop has begun; then connections are cut. */
  shutdownGraceMs: number;
}

/**
 * Apollo with our error and cost policy: documents over a limit are refused before any
 * resolver runs; unexpected errors are logged with the request id, then hidden.
 */
export function createApolloServer(
  schema: GraphQLSchema,
  logger: Logger,
  options: ApolloOptions,
): ApolloServer<Context> {
  return new ApolloServer<Context>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: !options.production,
    hideSchemaDetailsFromClientErrors: options.production,
    // Apollo's defaults, stated: they are part of what one request may cost and who may send it.
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    validationRules: queryLimitRules(options.limits, { introspection: !options.production }),
    logger,
    // main.ts owns the signals: it stops the whole gateway (database too) and sets the exit code.
    stopOnTerminationSignals: false,
    plugins: [
      // Apollo installs cache control unasked; it runs for every field, and no answer of this
      // API may be cached anyway (app.ts sends no-store).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({
        httpServer: options.httpServer,
        stopGracePeriodMillis: options.shutdownGraceMs,
      }),
      // Apollo's own default pages load Apollo's IDE from a CDN: ours works offline.
      options.production ? ApolloServerPluginLandingPageDisabled() : graphiqlLandingPage(),
      costLimitPlugin(options.limits),
      {
        async requestDidStart() {
          return {
            async didResolveOperation({
              operation,
              operationName,
              contextValue,
              document,
              request,
            }) {
              contextValue.requestRecord.operationName = operationName ?? undefined;
              contextValue.requestRecord.operationType = operation?.operation;
              const field = findControlCharacter(document, request.variables ?? {});
              if (field) throw new ControlCharacterError(field);
            },
            async didEncounterErrors({ errors, contextValue }) {
              for (const error of errors) {
                if (isExpectedError(error, error)) continue;
                contextValue.logger.error(
                  { err: error.originalError ?? error, path: error.path },
                  'unexpected error while serving a GraphQL request',
                );
              }
            },
            async willSendResponse({ response, contextValue }) {
              if (response.body.kind !== 'single') return;
              const result = response.body.singleResult;
              result.errors = result.errors?.map((error) => {
                const code = String(error.extensions?.code);
                contextValue.requestRecord.errorCodes.push(code);
                if (code !== 'INTERNAL_SERVER_ERROR') return error;
                // The one thing an unexpected error tells: where to find it in the logs.
                return { ...error, extensions: { code, requestId: contextValue.requestId } };
              });
            },
          };
        },
      },
    ],
  });
}
