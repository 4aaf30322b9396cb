import { isPlainObject } from './bson-order';

/**
 * Field names that are ordinary in MongoDB but special to JavaScript objects. mingo refuses
 * `__proto__` in paths and follows inherited `constructor`/`prototype` properties, and a plain
 * assignment to `__proto__` replaces an object's prototype instead of adding a field. So, on
 * the way into mingo, these names are escaped with a leading NUL, which no BSON field name can
 * hold, and unescaped on the way out.
 */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);
const ESCAPE = '\u0000';

function escapeKey(key: string): string {
  if (key.startsWith('$')) return key;
  if (!key.includes('.')) return RESERVED.has(key) ? ESCAPE + key : key;
  return key
    .split('.')
    .map((part) => (RESERVED.has(part) ? ESCAPE + part : part))
    .join('.');
}

function unescapeKey(key: string): string {
  return key.includes(ESCAPE) ? key.split(ESCAPE).join('') : key;
}

/** Sets an own property, even one named `__proto__` (which `target[key] = value` would not). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

function mapKeys(
  value: unknown,
  rename: (key: string) => string,
  renameString?: (text: string) => string,
): unknown {
  if (typeof value === 'string') return renameString ? renameString(value) : value;
  if (Array.isArray(value)) return value.map((element) => mapKeys(element, rename, renameString));
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    setOwn(copy, rename(key), mapKeys(field, rename, renameString));
  }
  return copy;
}

/** `$a.__proto__` → the escaped path; `$$ROOT.constructor` likewise. Other strings stay. */
function escapeFieldPath(text: string): string {
  if (!text.startsWith('$')) return text;
  const sigil = text.startsWith('$$') ? '$$' : '$';
  return sigil + escapeKey(text.slice(sigil.length));
}

/** A copy of a document or specification (filter, update, projection) with reserved names escaped. */
export function escapeNames<T>(value: T): T {
  return mapKeys(value, escapeKey) as T;
}

/**
 * A copy of an aggregation pipeline with reserved names escaped, in field names and in the
 * field paths (`"$a.b"`) its expressions read.
 */
export function escapePipeline<T>(pipeline: T): T {
  return mapKeys(pipeline, escapeKey, escapeFieldPath) as T;
}

/** The reverse of `escapeNames`. */
export function unescapeNames<T>(value: T): T {
  return mapKeys(value, unescapeKey) as T;
}

/** Whether any field name or path in `value` has a reserved component. */
export function mentionsReservedNames(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(mentionsReservedNames);
  if (!isPlainObject(value)) return false;
  for (const [key, field] of Object.entries(value)) {
    if (key.split('.').some((part) => RESERVED.has(part))) return true;
    if (mentionsReservedNames(field)) return true;
  }
  return false;
}
