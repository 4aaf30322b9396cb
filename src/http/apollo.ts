import { ApolloServer } from '@apollo/server';
import { type GraphQLSchema } from 'graphql';

import { type Context } from '../graphql/context';
import { type Logger } from '../logger';
import { formatError, isExpectedError } from './format-error';

/** Apollo with our error policy: unexpected errors are logged with the request id, then hidden. */
export function createApolloServer(
  schema: GraphQLSchema,
  logger: Logger,
  options: { introspection: boolean },
): ApolloServer<Context> {
  return new ApolloServer<Context>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: options.introspection,
    logger,
    plugins: [
      {
        async requestDidStart() {
          return {
            async didEncounterErrors({ errors, contextValue }) {
              for (const error of errors) {
                if (isExpectedError(error, error)) continue;
                contextValue.logger.error(
                  { err: error.originalError ?? error, path: error.path },
                  'unexpected error while serving a GraphQL request',
                );
              }
            },
          };
        },
      },
    ],
  });
}
