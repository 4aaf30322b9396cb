import { domainToASCII } from 'node:url';

/**
 * Email addresses, internationalised (RFC 6531). The local part may hold any non-ASCII
 * character; the domain may be written as Unicode (`exämple.com`) or as its IDNA A-label
 * (`xn--exmple-cua.com`), and both are one domain.
 *
 * Two addresses name the same person when their keys match (`normalizeEmail`):
 * - the whole address is taken in Unicode NFC, surrounding whitespace dropped;
 * - the local part is compared ignoring case by Unicode's default lower-casing, and otherwise
 *   exactly: no folding of ß to ss, no dropping of dots or `+tags`;
 * - the domain is compared as its lower-case IDNA A-label (UTS #46, as `url.domainToASCII`).
 */

/** RFC 5322 atext, or (RFC 6531) any non-ASCII character but whitespace and controls. */
const LOCAL_ATOM = /^(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]|[^\p{ASCII}\p{Cc}\p{White_Space}])+$/u;
/** An ASCII host name of at least two labels; the top-level label starts with a letter. */
const ASCII_DOMAIN =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_LOCAL_OCTETS = 64;
const MAX_ADDRESS_OCTETS = 254;

interface EmailParts {
  local: string;
  /** The domain's A-label form, lower case. */
  asciiDomain: string;
}

/** An address as it is stored: NFC, trimmed; otherwise as the brand wrote it. */
export function cleanEmail(raw: string): string {
  return raw.normalize('NFC').trim();
}

function partsOf(address: string): EmailParts | undefined {
  const at = address.lastIndexOf('@');
  if (at < 1) return undefined;
  const asciiDomain = domainToASCII(address.slice(at + 1));
  return asciiDomain ? { local: address.slice(0, at), asciiDomain } : undefined;
}

/** Why `address` (already cleaned) is not a deliverable address, or undefined when it is one. */
export function emailProblem(address: string): string | undefined {
  const parts = partsOf(address);
  if (!parts || !ASCII_DOMAIN.test(parts.asciiDomain) || parts.asciiDomain.length > 253) {
    return 'is not a valid email address';
  }
  const localAtoms = parts.local.split('.');
  if (!localAtoms.every((atom) => LOCAL_ATOM.test(atom))) return 'is not a valid email address';
  const localOctets = Buffer.byteLength(parts.local, 'utf8');
  if (
    localOctets > MAX_LOCAL_OCTETS ||
    localOctets + 1 + parts.asciiDomain.length > MAX_ADDRESS_OCTETS
  ) {
    return 'is too long for an email address';
  }
  return undefined;
}

/** The identity key that links brand accounts, by the rule above. `address` must be valid. */
export function normalizeEmail(address: string): string {
  const cleaned = cleanEmail(address);
  const parts = partsOf(cleaned);
  if (!parts) throw new Error('normalizeEmail needs a valid address');
  return `${parts.local.toLowerCase()}@${parts.asciiDomain}`;
}
