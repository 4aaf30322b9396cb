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

function collect(value: unknown, parts: string[], index: number, found: unknown[]): void {
  if (index === parts.length) {
    // One push per element: spreading a long array into push() overflows the call stack.
    if (Array.isArray(value)) for (const element of value) found.push(element);
    else found.push(value);
    return;
  }
  if (Array.isArray(value)) {
    const position = /^\d+$/.test(parts[index]) ? Number(parts[index]) : undefined;
    if (position !== undefined && position < value.length) {
      collect(value[position], parts, index + 1, found);
      return;
    }
    for (const element of value) {
      if (isPlainObject(element)) collect(element, parts, index, found);
    }
    return;
  }
  if (isPlainObject(value) && parts[index] in value) {
    collect(value[parts[index]], parts, index + 1, found);
  }
}

/** The value at a dotted path without descending into arrays (undefined when missing). */
export function valueAtPath(document: Document, path: string): unknown {
  let value: unknown = document;
  for (const part of path.split('.')) {
    if (isPlainObject(value) || Array.isArray(value)) {
      value = (value as Record<string, unknown>)[part];
    } else {
      return undefined;
    }
  }
  return value;
}
