import { GraphQLError } from 'graphql';

/** The codes a client may see in `errors[].extensions.code`; the README lists them. */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'VERSION_CONFLICT',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_ALLOWED',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Base of every error the gateway raises on purpose; anything else is reported as internal. */
export abstract class GatewayError extends GraphQLError {
  abstract readonly code: ErrorCode;
}

function coded(code: ErrorCode, extra: Record<string, unknown> = {}) {
  return { extensions: { code, ...extra } };
}

export class UnauthenticatedError extends GatewayError {
  readonly code = 'UNAUTHENTICATED';
  /** `status` is set when the whole request must fail (a bad token), not just one field. */
  constructor(message = 'Authentication required', status?: number) {
    super(message, coded('UNAUTHENTICATED', status ? { http: { status } } : {}));
  }
}

export class ForbiddenError extends GatewayError {
  readonly code = 'FORBIDDEN';
  constructor(message = 'Not allowed') {
    super(message, coded('FORBIDDEN'));
  }
}

export class BadUserInputError extends GatewayError {
  readonly code = 'BAD_USER_INPUT';
  /** `field` is the argument path, such as `input.email`, so a client can point at it. */
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`, coded('BAD_USER_INPUT', { field }));
  }
}

export class NotFoundError extends GatewayError {
  readonly code = 'NOT_FOUND';
  constructor(message: string, field?: string) {
    super(message, coded('NOT_FOUND', field ? { field } : {}));
  }
}

export class ConflictError extends GatewayError {
  readonly code = 'CONFLICT';
  constructor(message: string, field?: string) {
    super(message, coded('CONFLICT', field ? { field } : {}));
  }
}

/** A write made against a version the record no longer has: nothing was written. */
export class VersionConflictError extends GatewayError {
  readonly code = 'VERSION_CONFLICT';
  constructor(message: string, field: string) {
    super(message, coded('VERSION_CONFLICT', { field }));
  }
}

/** Which of the limits on one request's cost a document broke (the README lists them). */
export type QueryLimit =
  'depth' | 'aliases' | 'rootFields' | 'fieldRepeats' | 'directives' | 'tokens' | 'cost';

/**
 * A document refused before any resolver ran because it asks too much; `limit`, `max` and
 * `measured` let a client see what to cut. HTTP 400, as for any other invalid document.
 */
export class QueryTooComplexError extends GatewayError {
  readonly code = 'QUERY_TOO_COMPLEX';
  constructor(
    readonly limit: QueryLimit,
    readonly max: number,
    readonly measured: number,
  ) {
    super(
      `Query too complex: ${limit} is ${measured}, at most ${max} allowed`,
      coded('QUERY_TOO_COMPLEX', { limit, max, measured, http: { status: 400 } }),
    );
  }
}

/**
 * The caller has used up its requests for the current window: HTTP 429 with `Retry-After`
 * (seconds until the window ends), which `extensions.retryAfter` repeats for clients that read
 * only the body.
 */
export class RateLimitedError extends GatewayError {
  readonly code = 'RATE_LIMITED';
  constructor(
    readonly retryAfterSeconds: number,
    limit: number,
    windowSeconds: number,
  ) {
    super(
      `Too many requests: at most ${limit} in ${windowSeconds} s; retry after ${retryAfterSeconds} s`,
      coded('RATE_LIMITED', {
        retryAfter: retryAfterSeconds,
        // Apollo reads a Map of headers here for the response it sends.
        http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
      }),
    );
  }
}

/** A dependency (the database, the identity provider's keys) did not answer in time: retry. */
export class ServiceUnavailableError extends GatewayError {
  readonly code = 'SERVICE_UNAVAILABLE';
  /** `status` is set when the whole request must fail (keys for its token could not be had). */
  constructor(message = 'Service temporarily unavailable; retry', status?: number) {
    super(message, coded('SERVICE_UNAVAILABLE', status ? { http: { status } } : {}));
  }
}

/** An unexpected failure outside any resolver, already logged: the client learns only the id. */
export class InternalServerError extends GatewayError {
  readonly code = 'INTERNAL_SERVER_ERROR';
  constructor(requestId: string) {
    super('Internal server error', coded('INTERNAL_SERVER_ERROR', { requestId }));
  }
}

/**
 * Text with a control character (a newline, a NUL, a terminal escape), refused for the whole
 * request before any resolver runs: such text could split a log line or a CSV export.
 */
/** A `documentId` that no manifest in TRUSTED_DOCUMENTS holds: the client is not deployed. */
export class PersistedQueryNotFoundError extends GatewayError {
  readonly code = 'PERSISTED_QUERY_NOT_FOUND';
  constructor() {
    super('No trusted document has this documentId', {
      extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } },
    });
  }
}

/** A caller bound to trusted documents sent a document of its own (or an APQ hash). */
export class PersistedQueryNotAllowedError extends GatewayError {
  readonly code = 'PERSISTED_QUERY_NOT_ALLOWED';
  constructor(role: string) {
    super(`Role ${role} may send only trusted documents, by documentId`, {
      extensions: { code: 'PERSISTED_QUERY_NOT_ALLOWED', http: { status: 403 } },
    });
  }
}

export class ControlCharacterError extends GatewayError {
  readonly code = 'BAD_USER_INPUT';
  constructor(readonly field: string) {
    super(
      `${field}: must not contain control characters`,
      coded('BAD_USER_INPUT', { field, http: { status: 400 } }),
    );
  }
}
