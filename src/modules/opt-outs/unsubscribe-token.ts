import { createHmac, timingSafeEqual } from 'node:crypto';

import { Types } from 'mongoose';

import { Brand } from '../customers/brand';

/**
 * The one-click unsubscribe token: which customer, which brand, when it was made, signed with
 * HMAC-SHA256 under the server's key. It carries no personal data in clear (the customer id is
 * the gateway's own opaque id) and is short enough for a `List-Unsubscribe` header.
 *
 * Layout before base64url: version (1 byte) · customer id (12) · brand (1) · issued at, Unix
 * seconds (4) · HMAC-SHA256 of the 18 bytes before it (32).
 */
const VERSION = 1;
const PAYLOAD_BYTES = 18;
const MAC_BYTES = 32;
/** Brands by their byte in a token: append only, never reorder, or old links change brand. */
const BRAND_CODES: readonly Brand[] = [Brand.JOHN_LEWIS, Brand.WAITROSE, Brand.JOHN_LEWIS_FINANCE];
/** People unsubscribe from old emails: a link works for two years. */
export const UNSUBSCRIBE_TOKEN_LIFETIME_MS = 2 * 366 * 24 * 3_600_000;
/** A token made by another instance whose clock runs a little ahead is still good. */
const CLOCK_TOLERANCE_MS = 5 * 60_000;

export interface UnsubscribeGrant {
  customerId: string;
  brand: Brand;
  issuedAt: Date;
}

function mac(secret: string, payload: Buffer): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

export function signUnsubscribeToken(
  secret: string,
  grant: { customerId: string; brand: Brand },
  now: Date,
): string {
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  payload.writeUInt8(VERSION, 0);
  Buffer.from(new Types.ObjectId(grant.customerId).id).copy(payload, 1);
  payload.writeUInt8(BRAND_CODES.indexOf(grant.brand), 13);
  payload.writeUInt32BE(Math.floor(now.getTime() / 1000), 14);
  return Buffer.concat([payload, mac(secret, payload)]).toString('base64url');
}

/**
 * What a token grants, or undefined for anything this server did not sign, a token from the
 * future or one past its lifetime. Never throws: every malformed input is simply not a token.
 */
export function verifyUnsubscribeToken(
  secret: string,
  token: string,
  now: Date,
): UnsubscribeGrant | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  // Only the one spelling this server writes: base64's spare bits give a token look-alikes.
  if (bytes.length !== PAYLOAD_BYTES + MAC_BYTES || bytes.toString('base64url') !== token) {
    return undefined;
  }
  const payload = bytes.subarray(0, PAYLOAD_BYTES);
  if (!timingSafeEqual(bytes.subarray(PAYLOAD_BYTES), mac(secret, payload))) return undefined;
  if (payload.readUInt8(0) !== VERSION) return undefined;
  const brand = BRAND_CODES[payload.readUInt8(13)];
  if (!brand) return undefined;
  const issuedAt = new Date(payload.readUInt32BE(14) * 1000);
  const age = now.getTime() - issuedAt.getTime();
  if (age < -CLOCK_TOLERANCE_MS || age > UNSUBSCRIBE_TOKEN_LIFETIME_MS) return undefined;
  const customerId = new Types.ObjectId(payload.subarray(1, 13)).toHexString();
  return { customerId, brand, issuedAt };
}
