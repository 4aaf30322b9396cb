import { Types } from 'mongoose';

/** A position in a newest-first list: the last item's createdAt, with its id breaking ties. */
export interface CursorPosition {
  createdAt: Date;
  id: Types.ObjectId;
}

/** Opaque to clients: base64url of `createdAt|id`. */
export function encodeCursor(position: CursorPosition): string {
  const raw = `${position.createdAt.toISOString()}|${position.id.toHexString()}`;
  return Buffer.from(raw, 'utf8').toString('base64url');
}

/** The position a cursor names, or undefined when it is not one this gateway made. */
export function decodeCursor(cursor: string): CursorPosition | undefined {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const [iso, id, ...rest] = raw.split('|');
  if (rest.length > 0 || !iso || !id || !Types.ObjectId.isValid(id) || id.length !== 24) {
    return undefined;
  }
  const createdAt = new Date(iso);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== iso) return undefined;
  return { createdAt, id: new Types.ObjectId(id) };
}
