import { Types } from 'mongoose';

import { normalizeIdentifier } from '../lib/identifier';

const OBJECT_ID_HEX = /^[0-9a-f]{24}$/;

/**
 * The one spelling of a client's id: normalised like every identifier, hex in lower case. Loader
 * cache keys use it, so `ABC…` and `abc…` are one cache entry that one write clears.
 */
export function objectIdKey(id: string): string {
  return normalizeIdentifier(id).toLowerCase();
}

/** The ObjectId a client's id names, or undefined for anything but 24 hex digits. */
export function parseObjectId(id: string): Types.ObjectId | undefined {
  const key = objectIdKey(id);
  return OBJECT_ID_HEX.test(key) ? new Types.ObjectId(key) : undefined;
}
