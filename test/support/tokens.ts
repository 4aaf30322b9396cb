import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

import { signDevelopmentToken, TOKEN_AUDIENCE, type TokenClaims } from '../../src/auth/tokens';
import { Brand } from '../../src/modules/customers/brand';

/** The HS256 secret every test gateway is configured with (`AUTH_JWT_SECRET`). */
export const TEST_JWT_SECRET = 'test-only-secret-for-the-jest-gateways-0123456789';

/** The key the test gateways sign unsubscribe links with (`UNSUBSCRIBE_SECRET`). */
export const TEST_UNSUBSCRIBE_SECRET = 'test-only-unsubscribe-key-for-the-jest-gateways';

/** The issuer the test identity provider's tokens carry (`AUTH_JWT_ISSUER`). */
export const TEST_ISSUER = 'https://id.test.invalid/';

/** A valid HS256 token signed with the secret the test gateways use. */
export function tokenFor(claims: TokenClaims, expiresIn: string | number = '10m'): Promise<string> {
  return signDevelopmentToken(TEST_JWT_SECRET, claims, expiresIn);
}

/** A token for a brand's backend: the role the data builders report accounts with. */
export function brandToken(brand: Brand = Brand.WAITROSE): Promise<string> {
  return tokenFor({ role: 'brand', sub: `${brand.toLowerCase()}-backend`, brand });
}

export function staffToken(): Promise<string> {
  return tokenFor({ role: 'staff', sub: 'test-staff' });
}

/**
 * The token of the one caller the permission table lets send this `upsertBrandAccount` input:
 * the backend of the brand it names. Fails on an input naming no brand, so a test never sends
 * a report as a caller it did not mean.
 */
export function reporterToken(input: Record<string, unknown>): Promise<string> {
  const brand = Object.values(Brand).find((known) => known === input.brand);
  if (!brand) throw new Error(`reporterToken: the input names no brand (${String(input.brand)})`);
  return brandToken(brand);
}

/** The token of John Lewis Finance's quote engine: the only caller that may `recordQuote`. */
export function insurerToken(): Promise<string> {
  return brandToken(Brand.JOHN_LEWIS_FINANCE);
}

/** An HS256 token with exactly these claims and key: for the bad-token tests. */
export function rawHs256Token(
  payload: JWTPayload,
  options: { secret?: string; expiresIn?: string | number } = {},
): Promise<string> {
  const jwt = new SignJWT(payload).setProtectedHeader({ alg: 'HS256' });
  // An `iat` in the payload is the test's own (a token too old, or from the future).
  if (payload.iat === undefined) jwt.setIssuedAt();
  if (options.expiresIn !== undefined) jwt.setExpirationTime(options.expiresIn);
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

export interface JwksServer {
  url: string;
  /** Signs with the served key (ES256); `kid` may be overridden to name an unknown key. */
  sign(
    claims: TokenClaims,
    options?: { kid?: string; audience?: string; issuer?: string },
  ): Promise<string>;
  stop(): Promise<void>;
}

/** An identity provider on loopback: serves a JWKS with one ES256 key and signs with it. */
export async function startJwksServer(): Promise<JwksServer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'ES256', use: 'sig' };
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    sign: ({ sub, ...claims }, options = {}) =>
      new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? jwk.kid })
        .setSubject(sub)
        .setAudience(options.audience ?? TOKEN_AUDIENCE)
        .setIssuer(options.issuer ?? TEST_ISSUER)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
