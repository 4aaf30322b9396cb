import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';

import { isDatabaseUnavailable } from '../db/connection';
import { isUnfinishedTransaction } from '../db/transaction';
import { GatewayError, ServiceUnavailableError } from '../graphql/errors';

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

/**
 * The gateway's own error behind `error`, if any: Apollo wraps a resolver's error, and a
 * validation rule's error inside a GRAPHQL_VALIDATION_FAILED whose code would hide ours.
 */
function gatewayErrorOf(error: unknown): GatewayError | undefined {
  const unwrapped = unwrapResolverError(error);
  if (unwrapped instanceof GatewayError) return unwrapped;
  if (unwrapped instanceof GraphQLError && unwrapped.originalError instanceof GatewayError) {
    return unwrapped.originalError;
  }
  // A database that cannot be reached is an outage to retry after, not a bug; so is a
  // transaction that ran out of time while the driver still called its error retryable.
  if (isDatabaseUnavailable(unwrapped) || isUnfinishedTransaction(unwrapped)) {
    return new ServiceUnavailableError();
  }
  return undefined;
}

/**
 * The code of a client's mistake that graphql-js or Apollo reports without one: Apollo's own
 * refusals carrying an HTTP 4xx (an unsupported persisted query version), and graphql-js's
 * error that stops coercing variables after 50 bad ones.
 */
function uncodedClientErrorCode(error: unknown): string | undefined {
  if (!(error instanceof GraphQLError) || error.extensions.code !== undefined) return undefined;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return 'BAD_REQUEST';
  if (error.message.startsWith('Too many errors processing variables')) return 'BAD_USER_INPUT';
  return undefined;
}

/**
 * True for errors the gateway or Apollo meant a client to see, and for a database outage;
 * anything else is a bug.
 */
export function isExpectedError(formatted: GraphQLFormattedError, error: unknown): boolean {
  if (gatewayErrorOf(error) || uncodedClientErrorCode(error)) return true;
  const code = formatted.extensions?.code;
  return typeof code === 'string' && CLIENT_REQUEST_CODES.has(code);
}

/**
 * The one error formatter: what a client sees of any error. The gateway's coded errors keep
 * their code and what they chose to tell (`field`, a limit's figures); Apollo's request errors
 * keep their code; anything else becomes a bare INTERNAL_SERVER_ERROR, with no message, stack
 * or database detail (the request id is added as the response is sent).
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const { message, locations, path } = formatted;
  const gatewayError = gatewayErrorOf(error);
  if (gatewayError) {
    // `http` is Apollo's instruction for the status line, not for the client.
    const { http: _http, ...extensions } = gatewayError.extensions;
    return { message: gatewayError.message, locations, path, extensions };
  }
  if (!isExpectedError(formatted, error)) {
    return {
      message: 'Internal server error',
      locations,
      path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  }
  const code = uncodedClientErrorCode(error) ?? formatted.extensions?.code;
  return { message, locations, path, extensions: { code } };
}
