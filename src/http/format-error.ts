import { type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';

import { GatewayError } from '../graphql/errors';

/**
 * Codes Apollo itself gives to a client's mistakes (an unparsable query, an unknown field, a
 * variable of the wrong type). Their messages describe the request, never the server.
 */
const CLIENT_REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** True for errors the gateway or Apollo meant a client to see; anything else is a bug. */
export function isExpectedError(formatted: GraphQLFormattedError, error: unknown): boolean {
  if (unwrapResolverError(error) instanceof GatewayError) return true;
  const code = formatted.extensions?.code;
  return typeof code === 'string' && CLIENT_REQUEST_CODES.has(code);
}

/**
 * What a client sees of an error: a stable code (and the field for BAD_USER_INPUT), never a
 * stack trace; an unexpected error becomes a generic INTERNAL_SERVER_ERROR.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const { message, locations, path } = formatted;
  if (!isExpectedError(formatted, error)) {
    return {
      message: 'Internal server error',
      locations,
      path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  }
  const field = formatted.extensions?.field;
  return {
    message,
    locations,
    path,
    extensions: { code: formatted.extensions?.code, ...(field ? { field } : {}) },
  };
}
