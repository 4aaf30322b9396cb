import { GraphQLError } from 'graphql';

/** The codes a client may see in `errors[].extensions.code`; the README lists them. */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'VERSION_CONFLICT',
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
