import { type Document } from 'bson';

import { isPlainObject } from './bson-order';

/**
 * Every value a dotted path reaches in a document, descending into arrays the way MongoDB's
 * multikey indexes and sorts do: `a.b` over `{a: [{b: 1}, {b: 2}]}` reaches 1 and 2, and an
 * array at the end of the path contributes its elements.
 */
export function valuesAtPath(document: unknown, path: string): unknown[] {
  const found: unknown[] = [];
  collect(document, path.split('.'), 0, found);
  return found;
}

/**
 * What an index keys a document on at one path: the values `valuesAtPath` reaches, except that
 * an empty array contributes `undefined` (MongoDB's key for it, distinct from a missing field's
 * null), and the paths of the arrays crossed on the way (to detect parallel arrays).
 */
export function indexedValuesAtPath(
  document: unknown,
  path: string,
): { values: unknown[]; arrays: Set<string> } {
  const found: unknown[] = [];
  const arrays = new Set<string>();
  collect(document, path.split('.'), 0, found, arrays);
  return { values: found, arrays };
}

function collect(
  value: unknown,
  parts: string[],
  index: number,
  found: unknown[],
  /** When given: records the arrays crossed, and an empty array yields `undefined`. */
  arrays?: Set<string>,
): void {
  if (Array.isArray(value) && arrays) arrays.add(parts.slice(0, index).join('.'));
  if (index === parts.length) {
    // One push per element: spreading a long array into push() overflows the call stack.
    if (!Array.isArray(value)) found.push(value);
    else if (value.length === 0 && arrays) found.push(undefined);
    else for (const element of value) found.push(element);
    return;
  }
  if (Array.isArray(value)) {
    const position = /^\d+$/.test(parts[index]) ? Number(parts[index]) : undefined;
    if (position !== undefined && position < value.length) {
      collect(value[position], parts, index + 1, found, arrays);
      return;
    }
    for (const element of value) {
      if (isPlainObject(element)) collect(element, parts, index, found, arrays);
    }
    return;
  }
  // Own fields only: an inherited `constructor` is no field of a stored document.
  if (isPlainObject(value) && Object.prototype.hasOwnProperty.call(value, parts[index])) {
    collect(value[parts[index]], parts, index + 1, found, arrays);
  }
}

/** The value at a dotted path without descending into arrays (undefined when missing). */
export function valueAtPath(document: Document, path: string): unknown {
  let value: unknown = document;
  for (const part of path.split('.')) {
    if (
      (isPlainObject(value) || Array.isArray(value)) &&
      Object.prototype.hasOwnProperty.call(value, part)
    ) {
      value = (value as Record<string, unknown>)[part];
    } else {
      return undefined;
    }
  }
  return value;
}
