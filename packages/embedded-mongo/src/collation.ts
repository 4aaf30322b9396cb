import { type Document } from 'bson';

import { isPlainObject } from './bson-order';
import { badValue, MongoCommandError } from './errors';
import { setOwn } from './field-names';

/**
 * A collation this server implements: a locale at strength 1 (base letters only) or 2 (base
 * letters and accents; case ignored), the two where JavaScript's Intl.Collator and a case fold
 * give MongoDB's results. The simple (binary) collation is `undefined` everywhere.
 */
export interface Collation {
  locale: string;
  strength: 1 | 2;
  /** The collation as `listIndexes` shows it, with MongoDB's defaults filled in. */
  spec: Document;
  /** Equal for strings this collation holds equal; ordered as it orders letters and accents. */
  foldString(text: string): string;
  compareStrings(a: string, b: string): number;
}

// The other collation options, with the values that change nothing at strength 1 or 2.
const NEUTRAL_OPTIONS: Record<string, unknown> = {
  caseLevel: false,
  caseFirst: 'off',
  numericOrdering: false,
  alternate: 'non-ignorable',
  maxVariable: 'punct',
  normalization: false,
  backwards: false,
};
const ICU_VERSION = '57.1';

function notImplemented(detail: string): MongoCommandError {
  return new MongoCommandError(
    'NotImplemented',
    `${detail} is not supported by the embedded server (only a locale with strength 1 or 2)`,
  );
}

const COMBINING_MARKS = /\p{M}/gu;

function isSupportedLocale(locale: string): boolean {
  try {
    return Intl.Collator.supportedLocalesOf([locale]).length > 0;
  } catch {
    // Not even a well-formed language tag.
    return false;
  }
}

/**
 * Parses a command's or index's `collation`. Returns undefined for the simple collation; refuses
 * what this server cannot compare as MongoDB would.
 */
export function parseCollation(raw: unknown): Collation | undefined {
  if (raw === undefined) return undefined;
  if (!isPlainObject(raw)) {
    throw new MongoCommandError('TypeMismatch', "BSON field 'collation' is the wrong type");
  }
  const { locale, strength, version, ...options } = raw;
  if (typeof locale !== 'string') throw badValue('Missing expected field "locale"');
  if (locale === 'simple') {
    if (Object.keys(raw).length === 1) return undefined;
    throw badValue('If "locale" is "simple", then "strength" and the other options must be absent');
  }
  if (!isSupportedLocale(locale)) {
    throw badValue(`Field 'locale' is invalid in: { locale: "${locale}" }`);
  }
  for (const [option, value] of Object.entries(options)) {
    if (!(option in NEUTRAL_OPTIONS)) {
      throw new MongoCommandError(
        'Location40415',
        `BSON field 'collation.${option}' is an unknown field.`,
      );
    }
    if (value !== NEUTRAL_OPTIONS[option]) {
      throw notImplemented(`collation ${option}: ${JSON.stringify(value)}`);
    }
  }
  if (version !== undefined && version !== ICU_VERSION) {
    throw notImplemented(`collation version ${String(version)}`);
  }
  if (strength !== 1 && strength !== 2) {
    throw notImplemented(`collation strength ${String(strength ?? 3)}`);
  }
  const collator = new Intl.Collator(locale, {
    sensitivity: strength === 1 ? 'base' : 'accent',
    usage: 'sort',
  });
  return {
    locale,
    strength,
    spec: { locale, ...NEUTRAL_OPTIONS, strength, version: ICU_VERSION },
    // Upper then lower case folds ß to ss and ligatures to their letters, as ICU's
    // secondary strength does; decomposed accents sort right after their base letter.
    foldString: (text) => {
      const decomposed = text.normalize('NFD');
      const base = strength === 1 ? decomposed.replace(COMBINING_MARKS, '') : decomposed;
      return base.toLocaleUpperCase(locale).toLocaleLowerCase(locale);
    },
    compareStrings: (a, b) => collator.compare(a, b),
  };
}

/** Whether two collations (undefined: simple) compare alike. */
export function sameCollation(a: Collation | undefined, b: Collation | undefined): boolean {
  return a?.locale === b?.locale && a?.strength === b?.strength;
}

/**
 * A copy of a value with every string folded: documents and filter values alike, so that
 * equality and ranges between folded values follow the collation. Field names and the names
 * of `$type` aliases are left alone.
 */
export function foldStrings(value: unknown, collation: Collation): unknown {
  if (typeof value === 'string') return collation.foldString(value);
  if (Array.isArray(value)) return value.map((element) => foldStrings(element, collation));
  if (!isPlainObject(value)) return value;
  const folded: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    setOwn(folded, key, key === '$type' ? field : foldStrings(field, collation));
  }
  return folded;
}
