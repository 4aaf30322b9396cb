import { type Document } from 'bson';

import { canonicalKey, isPlainObject } from './bson-order';
import { badValue, MongoCommandError } from './errors';
import { valuesAtPath } from './paths';

/** An index as `listIndexes` reports it. */
export interface IndexSpec {
  v: 2;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
}

/** One key a document contributes to an index, with the values `keyValue` reports. */
export interface IndexKey {
  key: string;
  values: unknown[];
}

const SUPPORTED_OPTIONS = new Set(['key', 'name', 'unique', 'sparse', 'expireAfterSeconds', 'v']);
// Options MongoDB accepts that change nothing for this server's in-memory, single-node indexes.
const HARMLESS_OPTIONS = new Set(['background']);

/** The default index name MongoDB derives from a key pattern: `a_1_b_-1`. */
export function defaultIndexName(key: Document): string {
  return Object.entries(key)
    .map(([field, direction]) => `${field}_${String(direction)}`)
    .join('_');
}

/** Validates a `createIndexes` entry and returns it in the shape `listIndexes` reports. */
export function parseIndexSpec(raw: Document): IndexSpec {
  for (const option of Object.keys(raw)) {
    if (!SUPPORTED_OPTIONS.has(option) && !HARMLESS_OPTIONS.has(option)) {
      throw new MongoCommandError(
        'InvalidOptions',
        `The field '${option}' is not supported by this server's createIndexes`,
      );
    }
  }
  const key = raw.key;
  if (!isPlainObject(key) || Object.keys(key).length === 0) {
    throw new MongoCommandError('BadValue', 'Index keys cannot be empty.');
  }
  for (const [field, direction] of Object.entries(key)) {
    if (direction !== 1 && direction !== -1) {
      throw new MongoCommandError(
        'BadValue',
        `Values in the index key pattern can only be 1 or -1 here; '${field}' has ` +
          `${JSON.stringify(direction)} (special index types are not supported)`,
      );
    }
  }
  const spec: IndexSpec = { v: 2, key: { ...key }, name: raw.name ?? defaultIndexName(key) };
  if (typeof spec.name !== 'string' || spec.name === '')
    throw badValue('index name must be a string');
  if (raw.unique === true) spec.unique = true;
  if (raw.sparse === true) spec.sparse = true;
  if (raw.expireAfterSeconds !== undefined) {
    const seconds = raw.expireAfterSeconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw badValue("TTL index 'expireAfterSeconds' option must be a non-negative number");
    }
    if (Object.keys(key).length !== 1) {
      throw badValue('TTL indexes are single-field indexes, compound indexes do not support TTL');
    }
    spec.expireAfterSeconds = seconds;
  }
  return spec;
}

/** Whether two specs describe the same index (what makes a repeated createIndexes a no-op). */
export function sameIndex(a: IndexSpec, b: IndexSpec): boolean {
  return (
    canonicalKey(a.key) === canonicalKey(b.key) &&
    Boolean(a.unique) === Boolean(b.unique) &&
    Boolean(a.sparse) === Boolean(b.sparse) &&
    a.expireAfterSeconds === b.expireAfterSeconds
  );
}

/**
 * A hash index over committed documents: key → ids of the documents holding it. Equality and
 * `$in` lookups use it; everything else (ranges, sorts) is evaluated on the candidates.
 */
export class Index {
  readonly fields: string[];
  private readonly entries = new Map<string, Set<string>>();

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
  }

  get name(): string {
    return this.spec.name;
  }

  get unique(): boolean {
    return this.spec.unique === true;
  }

  /** The keys a document contributes: one per element for array fields (multikey). */
  keysOf(document: Document): IndexKey[] {
    let combinations: unknown[][] = [[]];
    let anyPresent = false;
    for (const field of this.fields) {
      const values = valuesAtPath(document, field);
      if (values.length > 0) anyPresent = true;
      const choices = values.length > 0 ? uniqueValues(values) : [null];
      combinations = combinations.flatMap((prefix) => choices.map((value) => [...prefix, value]));
    }
    if (this.spec.sparse && !anyPresent) return [];
    return combinations.map((values) => ({ key: this.keyOf(values), values }));
  }

  keyOf(values: unknown[]): string {
    return values.map((value) => canonicalKey(value ?? null)).join('\u0000');
  }

  holders(key: string): ReadonlySet<string> | undefined {
    return this.entries.get(key);
  }

  add(id: string, document: Document): void {
    for (const { key } of this.keysOf(document)) {
      let ids = this.entries.get(key);
      if (!ids) this.entries.set(key, (ids = new Set()));
      ids.add(id);
    }
  }

  remove(id: string, document: Document): void {
    for (const { key } of this.keysOf(document)) {
      const ids = this.entries.get(key);
      ids?.delete(id);
      if (ids?.size === 0) this.entries.delete(key);
    }
  }

  /** The first duplicated key among the given documents, for building a unique index. */
  static findDuplicate(
    spec: IndexSpec,
    documents: Iterable<[string, Document]>,
  ): IndexKey | undefined {
    const index = new Index(spec);
    const seen = new Map<string, string>();
    for (const [id, document] of documents) {
      for (const key of index.keysOf(document)) {
        const holder = seen.get(key.key);
        if (holder !== undefined && holder !== id) return key;
        seen.set(key.key, id);
      }
    }
    return undefined;
  }
}

function uniqueValues(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = canonicalKey(value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The index keys a filter pins by equality on this index's leading fields, or undefined when
 * the filter does not pin them (the caller then scans). The candidates it yields are a superset
 * of the matches; the full filter is always evaluated on them.
 */
export function equalityKeys(index: Index, filter: Document): string[] | undefined {
  const perField: unknown[][] = [];
  for (const field of index.fields) {
    const values = pinnedValues(filter, field);
    if (!values) return undefined;
    perField.push(values);
  }
  let keys: unknown[][] = [[]];
  for (const values of perField) {
    keys = keys.flatMap((prefix) => values.map((value) => [...prefix, value]));
    if (keys.length > 1000) return undefined;
  }
  return keys.map((values) => index.keyOf(values));
}

function isIndexableEquality(value: unknown): boolean {
  // Arrays match as whole values or as elements, and regexes match patterns: scan for those.
  return !Array.isArray(value) && !(value instanceof RegExp) && value !== undefined;
}

function pinnedValues(filter: Document, field: string): unknown[] | undefined {
  if (/(^|\.)\d+(\.|$)/.test(field)) return undefined;
  if (Object.prototype.hasOwnProperty.call(filter, field)) {
    const condition = filter[field];
    if (isPlainObject(condition) && Object.keys(condition).some((key) => key.startsWith('$'))) {
      if ('$eq' in condition && isIndexableEquality(condition.$eq)) return [condition.$eq];
      if (Array.isArray(condition.$in) && condition.$in.every(isIndexableEquality)) {
        return condition.$in;
      }
      return undefined;
    }
    return isIndexableEquality(condition) ? [condition] : undefined;
  }
  if (Array.isArray(filter.$and)) {
    for (const clause of filter.$and) {
      if (isPlainObject(clause)) {
        const values = pinnedValues(clause, field);
        if (values) return values;
      }
    }
  }
  return undefined;
}
