import { createSecretKey } from 'node:crypto';

import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { z } from 'zod';

import { type AuthConfig } from '../config';
import { parseObjectId } from '../db/object-id';
import { BoundedMap } from '../lib/bounded-map';
import { ServiceUnavailableError, UnauthenticatedError } from '../graphql/errors';
import { type Logger } from '../logger';
import { Brand } from '../modules/customers/brand';
import { TOKEN_AUDIENCE } from './tokens';
import { ROLES } from './roles';
import { ANONYMOUS, type Viewer } from './viewer';

export type TokenVerifierConfig = Pick<
  AuthConfig,
  'jwtSecret' | 'jwksUrl' | 'issuer' | 'maxTokenAgeSeconds'
>;

/** How far the issuer's clock may run ahead of or behind ours (`iat`, `exp`, `nbf`). */
const CLOCK_TOLERANCE_SECONDS = 30;

/** Turns an Authorization header into a viewer; a bad token throws UNAUTHENTICATED (HTTP 401). */
export type TokenVerifier = (authorization: string | undefined) => Promise<Viewer>;

/** Verified tokens remembered at most; past it the oldest is forgotten first. */
const VERIFIED_TOKENS_KEPT = 10_000;

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

/** The identity provider's key set could not be fetched: not the token's fault. */
class KeySetUnavailable extends Error {
  override name = 'KeySetUnavailable';
}

/**
 * jose's remote key set, with a failure to fetch it (unreachable, a timeout, not 200, not a key
 * set) told apart from a token naming a key the set does not hold.
 */
function remoteKeySet(url: string): JWTVerifyGetKey {
  // jose caches the key set and refetches it when a token names a key id it has not seen.
  const getKey = createRemoteJWKSet(new URL(url));
  return async (header, token) => {
    try {
      return await getKey(header, token);
    } catch (error) {
      if (
        error instanceof joseErrors.JWKSNoMatchingKey ||
        error instanceof joseErrors.JWKSMultipleMatchingKeys ||
        error instanceof joseErrors.JOSENotSupported
      ) {
        throw error;
      }
      throw new KeySetUnavailable('the JWKS could not be fetched', { cause: error });
    }
  };
}

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

/**
 * Tokens already verified, until the moment the checks would refuse them (expiry or age). A
 * website or app sends one token with every request of a session; verifying its signature once
 * instead of every time saves the largest single cost of a small request. Only tokens that
 * passed every check are kept; the viewer is frozen, since every request then shares it.
 */
class VerifiedTokens {
  private readonly kept = new BoundedMap<string, { viewer: Viewer; refusedFromMs: number }>(
    VERIFIED_TOKENS_KEPT,
  );

  find(token: string, nowMs: number): Viewer | undefined {
    const entry = this.kept.get(token);
    if (!entry) return undefined;
    if (nowMs < entry.refusedFromMs) return entry.viewer;
    this.kept.delete(token);
    return undefined;
  }

  keep(token: string, viewer: Viewer, refusedFromMs: number): void {
    this.kept.set(token, { viewer: Object.freeze(viewer), refusedFromMs });
  }
}

/**
 * Checks a token's signature, audience, age and lifetime; JWKS tokens also their issuer. A key
 * set that cannot be fetched fails the request with SERVICE_UNAVAILABLE (HTTP 503).
 */
export function createTokenVerifier(config: TokenVerifierConfig, logger?: Logger): TokenVerifier {
  // A KeyObject made once: given raw bytes, jose would import the key again for every token.
  const secret = config.jwtSecret ? createSecretKey(Buffer.from(config.jwtSecret)) : undefined;
  const jwks = config.jwksUrl ? remoteKeySet(config.jwksUrl) : undefined;
  const verifiedTokens = new VerifiedTokens();

  /** When jose would start refusing a token it accepts now: its expiry or its age limit. */
  function refusedFromMs({ exp, iat }: JWTPayload): number {
    const expiry = typeof exp === 'number' ? exp : Infinity;
    const ageLimit = typeof iat === 'number' ? iat + config.maxTokenAgeSeconds : Infinity;
    return (Math.min(expiry, ageLimit) + CLOCK_TOLERANCE_SECONDS) * 1000;
  }

  async function verify(token: string): Promise<JWTPayload> {
    let algorithm: string | undefined;
    try {
      algorithm = decodeProtectedHeader(token).alg;
    } catch {
      throw rejected('it is malformed');
    }
    const options = {
      audience: TOKEN_AUDIENCE,
      requiredClaims: ['exp', 'sub', 'iat'],
      // Also refuses an `iat` in the future beyond the tolerance.
      maxTokenAge: config.maxTokenAgeSeconds,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    };
    if (secret && algorithm && SHARED_SECRET_ALGORITHMS.includes(algorithm)) {
      return (await jwtVerify(token, secret, { ...options, algorithms: SHARED_SECRET_ALGORITHMS }))
        .payload;
    }
    if (jwks && algorithm && PUBLIC_KEY_ALGORITHMS.includes(algorithm)) {
      const verified = await jwtVerify(token, jwks, {
        ...options,
        issuer: config.issuer,
        algorithms: PUBLIC_KEY_ALGORITHMS,
      });
      return verified.payload;
    }
    throw rejected('its algorithm is not accepted');
  }

  /** A token may not outlive the age limit either: a long `exp` would make it unbounded. */
  function checkLifetime(payload: JWTPayload): void {
    const { iat, exp } = payload;
    if (typeof iat === 'number' && typeof exp === 'number') {
      if (exp - iat > config.maxTokenAgeSeconds + CLOCK_TOLERANCE_SECONDS) {
        throw rejected('its lifetime is longer than allowed');
      }
    }
  }

  return async (authorization) => {
    if (authorization === undefined || authorization.trim() === '') return ANONYMOUS;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw rejected('the Authorization header must be "Bearer <token>"');
    const known = verifiedTokens.find(match[1], Date.now());
    if (known) return known;
    let payload: JWTPayload;
    try {
      payload = await verify(match[1]);
    } catch (error) {
      if (error instanceof KeySetUnavailable) {
        logger?.warn({ err: error.cause }, "the identity provider's key set could not be fetched");
        throw new ServiceUnavailableError('Token keys are unavailable; retry', 503);
      }
      if (error instanceof joseErrors.JOSEError) throw rejected(describeJoseError(error));
      throw error;
    }
    checkLifetime(payload);
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      const claim = claims.error.issues[0].path.join('.') || 'claims';
      throw rejected(`its ${claim} claim is missing or wrong`);
    }
    const { sub, role, brand } = claims.data;
    const viewer: Viewer =
      role === 'brand' ? { role, subject: sub, brand } : { role, subject: sub };
    verifiedTokens.keep(match[1], viewer, refusedFromMs(payload));
    return viewer;
  };
}
