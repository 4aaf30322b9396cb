import { createHash, randomBytes } from 'node:crypto';

/** The `prevHash` of a customer's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * What an event's hash covers: ids, states, source, actor, time and the payload's digest, never
 * the payload itself, so erasing payloads leaves every hash verifiable.
 */
export interface ChainedEvent {
  customerId: string;
  seq: number;
  position: number;
  brand: string;
  channel?: string | null;
  topic?: string | null;
  purpose: string;
  granted: boolean;
  previous: string;
  source: string;
  actor: { role: string; subject: string };
  at: Date;
  payloadDigest?: string | null;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The hash of an event chained to the one before it (GENESIS_HASH for the first). */
export function eventHash(event: ChainedEvent, prevHash: string): string {
  // A fixed array, not an object: key order can never change what is hashed.
  return sha256(
    JSON.stringify([
      'consent-event/v1',
      prevHash,
      event.customerId.toLowerCase(),
      event.seq,
      event.position,
      event.brand,
      event.channel ?? null,
      event.topic ?? null,
      event.purpose,
      event.granted,
      event.previous,
      event.source,
      event.actor.role,
      event.actor.subject,
      event.at.toISOString(),
      event.payloadDigest ?? null,
    ]),
  );
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

/** The digest the chain keeps of a payload; salted so a short text cannot be guessed back. */
export function payloadDigest(payload: { salt: string; evidence: string }): string {
  return sha256(JSON.stringify(['consent-payload/v1', payload.salt, payload.evidence]));
}

export interface StoredChainEvent extends ChainedEvent {
  id: string;
  prevHash: string;
  hash: string;
}

export interface ChainVerification {
  valid: boolean;
  events: number;
  firstBrokenEventId?: string;
}

/**
 * Recomputes a customer's chain (events in `seq` order). An event is broken when its place,
 * its link to the event before, its own hash, or a payload still present does not match.
 * An erased payload (absent from `payloads`) is not a break.
 */
export function verifyChain(
  events: readonly StoredChainEvent[],
  payloads: ReadonlyMap<string, { salt: string; evidence: string }>,
): ChainVerification {
  let prevHash = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    const payload = payloads.get(event.id);
    const intact =
      event.seq === index + 1 &&
      event.prevHash === prevHash &&
      event.hash === eventHash(event, prevHash) &&
      (payload === undefined || payloadDigest(payload) === event.payloadDigest);
    if (!intact) return { valid: false, events: events.length, firstBrokenEventId: event.id };
    prevHash = event.hash;
  }
  return { valid: true, events: events.length };
}
