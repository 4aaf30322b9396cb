/**
 * One identifier, one spelling: what a brand sends as `" WS-1 "` and what it later asks for as
 * `"WS-1"` must name the same record. Every entry point that takes an identifier (account ids,
 * quote references, customer ids) normalises it here: Unicode NFC, surrounding whitespace
 * dropped. Case is kept: the brands' own ids are case-sensitive.
 */
export function normalizeIdentifier(raw: string): string {
  return raw.normalize('NFC').trim();
}
