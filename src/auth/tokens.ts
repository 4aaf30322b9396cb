import { SignJWT } from 'jose';

import { type Brand } from '../modules/customers/brand';
import { type Role } from './roles';

/** The `aud` every token for this gateway must carry. */
export const TOKEN_AUDIENCE = 'customer-profile-gateway';

export interface TokenClaims {
  role: Role;
  sub: string;
  brand?: Brand;
}

/** An HS256 token for development and tests; production tokens come from the identity provider. */
export async function signDevelopmentToken(
  secret: string,
  claims: TokenClaims,
  expiresIn: string | number = '12h',
): Promise<string> {
  const { sub, ...rest } = claims;
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
