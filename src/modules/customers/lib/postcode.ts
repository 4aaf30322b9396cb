/**
 * Postcodes as people write them. Whitespace of any kind (spaces, tabs, no-break spaces) and
 * case are how a code was typed, not part of it; each code is stored in one canonical form.
 */

/** Codes Royal Mail's UK format covers, compacted (no whitespace), with where the space goes. */
const UK_FORMATS: readonly RegExp[] = [
  // Outward code + inward code: Great Britain, the Crown Dependencies (GY, JE, IM) and
  // Gibraltar (GX11 1AA).
  /^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$/,
  // Girobank's code, still delivered to.
  /^(GIR)(0AA)$/,
  // British Forces Post Office: BFPO and a number of up to four digits.
  /^(BFPO)(\d{1,4})$/,
  // Overseas territories that adopted a UK-style code: Ascension, St Helena, Tristan da Cunha,
  // British Indian Ocean Territory, British Antarctic Territory, Falklands, Pitcairn, South
  // Georgia, Turks and Caicos. Territories with their own formats (Cayman's KY1-1234,
  // Bermuda, BVI, Anguilla, Montserrat) are not UK postcodes: they go with their own country.
  /^(ASCN|STHL|TDCU|BBND|BIQQ|FIQQ|PCRN|SIQQ|TKCA)(1ZZ)$/,
];

/**
 * Countries (ISO 3166-1) whose addresses use the UK format: the UK, the Crown Dependencies and
 * the territories above. Their postcodes must be UK-format and get the UK canonical form.
 */
const UK_FORMAT_COUNTRIES = new Set([
  'GB',
  'GG',
  'JE',
  'IM',
  'GI',
  'SH',
  'IO',
  'AQ',
  'FK',
  'PN',
  'GS',
  'TC',
]);

const OTHER_POSTCODE = /^[A-Z0-9][A-Z0-9 -]{1,11}$/;

/** "SW1A 1AA": the canonical form of a UK-format postcode, or undefined when it is not one. */
export function canonicalUkPostcode(raw: string): string | undefined {
  const compact = raw.replace(/\s+/gu, '').toUpperCase();
  for (const format of UK_FORMATS) {
    const match = format.exec(compact);
    if (match) return `${match[1]} ${match[2]}`;
  }
  return undefined;
}

/**
 * The canonical form of a postcode in `country`, or undefined when it cannot be one there.
 * Elsewhere than the UK-format countries: upper case, whitespace runs as one space.
 */
export function canonicalPostcode(raw: string, country: string): string | undefined {
  if (UK_FORMAT_COUNTRIES.has(country)) return canonicalUkPostcode(raw);
  const spaced = raw.trim().replace(/\s+/gu, ' ').toUpperCase();
  return OTHER_POSTCODE.test(spaced) ? spaced : undefined;
}
