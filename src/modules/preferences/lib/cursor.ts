/** Which list a cursor belongs to: one list's cursor is refused by the other. */
export type EventCursorKind = 'feed' | 'history';

/** Opaque to clients: base64url of `kind:number` (a feed position or a chain seq). */
export function encodeEventCursor(kind: EventCursorKind, value: number): string {
  return Buffer.from(`${kind}:${value}`, 'utf8').toString('base64url');
}

/** The number a cursor names, or undefined when it is not one this gateway made for `kind`. */
export function decodeEventCursor(cursor: string, kind: EventCursorKind): number | undefined {
  const match = /^(feed|history):(0|[1-9]\d{0,14})$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  );
  return match && match[1] === kind ? Number(match[2]) : undefined;
}
