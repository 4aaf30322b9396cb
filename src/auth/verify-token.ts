import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
} from 'jose';
import { z } from 'zod';

import { parseObjectId } from '../db/object-id';
import { UnauthenticatedError } from '../graphql/errors';
import { Brand } from '../modules/customers/brand';
import { TOKEN_AUDIENCE } from './tokens';
import { ANONYMOUS, ROLES, type Viewer } from './viewer';

export interface TokenVerifierConfig {
  jwtSecret?: string;
  jwksUrl?: string;
}

/** Turns an Authorization header into a viewer; a bad token throws UNAUTHENTICATED (HTTP 401). */
export type TokenVerifier = (authorization: string | undefined) => Promise<Viewer>;

const SHARED_SECRET_ALGORITHMS = ['HS256'];
const PUBLIC_KEY_ALGORITHMS = ['RS256', 'ES256'];

const claimsSchema = z
  .object({
    sub: z.string().min(1),
    role: z.enum(ROLES),
    brand: z.enum(Brand).optional(),
  })
  .superRefine((claims, context) => {
    if (claims.role === 'brand' && !claims.brand) {
      context.addIssue({ code: 'custom', path: ['brand'], message: 'required for role brand' });
    }
    if (claims.role === 'customer' && !parseObjectId(claims.sub)) {
      context.addIssue({ code: 'custom', path: ['sub'], message: 'must be a customer id' });
    }
  });

function rejected(reason: string): UnauthenticatedError {
  return new UnauthenticatedError(`Invalid token: ${reason}`, 401);
}

/** A client-facing reason for jose's failure; never the token or its claims' values. */
function describeJoseError(error: InstanceType<typeof joseErrors.JOSEError>): string {
  if (error instanceof joseErrors.JWTExpired) return 'it has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return `its ${error.claim} claim is missing or wrong`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'its signature is invalid';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'its algorithm is not accepted';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no key matches its key id';
  return 'it is malformed';
}

export function createTokenVerifier(config: TokenVerifierConfig): TokenVerifier {
  const secret = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : undefined;
  // jose caches the key set and refetches it when a token names a key id it has not seen.
  const jwks = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;

  async function verify(token: string): Promise<JWTPayload> {
    let algorithm: string | undefined;
    try {
      algorithm = decodeProtectedHeader(token).alg;
    } catch {
      throw rejected('it is malformed');
    }
    const options = { audience: TOKEN_AUDIENCE, requiredClaims: ['exp', 'sub'] };
    if (secret && algorithm && SHARED_SECRET_ALGORITHMS.includes(algorithm)) {
      return (await jwtVerify(token, secret, { ...options, algorithms: SHARED_SECRET_ALGORITHMS }))
        .payload;
    }
    if (jwks && algorithm && PUBLIC_KEY_ALGORITHMS.includes(algorithm)) {
      return (await jwtVerify(token, jwks, { ...options, algorithms: PUBLIC_KEY_ALGORITHMS }))
        .payload;
    }
    throw rejected('its algorithm is not accepted');
  }

  return async (authorization) => {
    if (authorization === undefined || authorization.trim() === '') return ANONYMOUS;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw rejected('the Authorization header must be "Bearer <token>"');
    let payload: JWTPayload;
    try {
      payload = await verify(match[1]);
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) throw rejected(describeJoseError(error));
      throw error;
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      const claim = claims.error.issues[0].path.join('.') || 'claims';
      throw rejected(`its ${claim} claim is missing or wrong`);
    }
    const { sub, role, brand } = claims.data;
    return role === 'brand' ? { role, subject: sub, brand } : { role, subject: sub };
  };
}
