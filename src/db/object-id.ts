import { Types } from 'mongoose';

const OBJECT_ID_HEX = /^[0-9a-f]{24}$/i;

/** The ObjectId a client's id names, or undefined for anything but 24 hex digits. */
export function parseObjectId(id: string): Types.ObjectId | undefined {
  return OBJECT_ID_HEX.test(id) ? new Types.ObjectId(id) : undefined;
}
