import { type Document } from 'bson';

import { canonicalKey, isPlainObject } from './bson-order';
import { badValue, MongoCommandError } from './errors';
import { indexedValuesAtPath } from './paths';
import { type Collation, foldStrings, parseCollation, sameCollation } from './collation';
import { compileFilter } from './query';

/** An index as `listIndexes` reports it. */
export interface IndexSpec {
  v: 2;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
  /** Kept up to date and enforced, but never chosen to answer a query. */
  hidden?: boolean;
  /** Only documents matching it are indexed (and held unique). */
  partialFilterExpression?: Document;
  /** Strings are keyed as this collation compares them (MongoDB's full spec). */
  collation?: Document;
}

/** The index every collection has, which can be neither hidden nor dropped. */
export const ID_INDEX_SPEC: Readonly<IndexSpec> = { v: 2, key: { _id: 1 }, name: '_id_' };

/** One key a document contributes to an index, with the values `keyValue` reports. */
export interface IndexKey {
  key: string;
  values: unknown[];
}

const SUPPORTED_OPTIONS = new Set([
  'key',
  'name',
  'unique',
  'sparse',
  'expireAfterSeconds',
  'hidden',
  'partialFilterExpression',
  'collation',
  'v',
]);

// What MongoDB 7.0 accepts in a partialFilterExpression besides field equality and $and.
const PARTIAL_OPERATORS = new Set(['$eq', '$exists', '$gt', '$gte', '$lt', '$lte', '$type']);

function cannotCreateIndex(message: string): MongoCommandError {
  return new MongoCommandError('CannotCreateIndex', message);
}

/** Refuses what MongoDB refuses in a partial index's filter, and what this server lacks. */
function assertPartialFilter(filter: Document, topLevel = true): void {
  for (const [field, condition] of Object.entries(filter)) {
    if (field === '$and' && topLevel && Array.isArray(condition)) {
      for (const clause of condition) {
        if (!isPlainObject(clause)) throw badValue('$and needs an array of objects');
        assertPartialFilter(clause, false);
      }
      continue;
    }
    if (field === '$or' || field === '$in') {
      throw new MongoCommandError(
        'NotImplemented',
        `${field} in a partialFilterExpression is not supported by the embedded server`,
      );
    }
    if (field.startsWith('$')) {
      throw cannotCreateIndex(`Expression not supported in partial index: ${field}`);
    }
    if (!isPlainObject(condition) || !Object.keys(condition).some((key) => key.startsWith('$')))
      continue;
    for (const [operator, argument] of Object.entries(condition)) {
      if (operator === '$in') {
        throw new MongoCommandError(
          'NotImplemented',
          '$in in a partialFilterExpression is not supported by the embedded server',
        );
      }
      // $exists: false is a negation, which MongoDB refuses as $not.
      const negation = operator === '$exists' && !argument;
      if (!PARTIAL_OPERATORS.has(operator) || negation) {
        throw cannotCreateIndex(
          `Expression not supported in partial index: ${negation || operator === '$ne' ? '$not' : operator}`,
        );
      }
    }
  }
}
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
    if (field === '$**' || field.endsWith('.$**')) {
      throw new MongoCommandError(
        'NotImplemented',
        'wildcard indexes are not supported by the embedded server',
      );
    }
    if (direction === 'hashed') {
      if (Object.keys(key).length > 1) {
        throw new MongoCommandError(
          'NotImplemented',
          'compound hashed indexes are not supported by the embedded server',
        );
      }
      if (raw.unique === true) {
        throw new MongoCommandError(
          'Location16764',
          'Currently hashed indexes cannot guarantee uniqueness. Use a regular index.',
        );
      }
    } else if (direction !== 1 && direction !== -1) {
      throw new MongoCommandError(
        'NotImplemented',
        `Values in the index key pattern can only be 1, -1 or "hashed" here; '${field}' has ` +
          `${JSON.stringify(direction)} (text, geospatial and wildcard indexes are not supported ` +
          `by the embedded server)`,
      );
    }
  }
  const spec: IndexSpec = { v: 2, key: { ...key }, name: raw.name ?? defaultIndexName(key) };
  if (typeof spec.name !== 'string' || spec.name === '')
    throw badValue('index name must be a string');
  if (raw.unique === true) spec.unique = true;
  if (raw.sparse === true) spec.sparse = true;
  const collation = parseCollation(raw.collation);
  if (collation) spec.collation = collation.spec;
  if (raw.partialFilterExpression !== undefined) {
    if (!isPlainObject(raw.partialFilterExpression)) {
      throw new MongoCommandError('TypeMismatch', 'partialFilterExpression must be an object');
    }
    if (spec.sparse) {
      throw cannotCreateIndex('cannot mix "partialFilterExpression" and "sparse" options');
    }
    assertPartialFilter(raw.partialFilterExpression);
    spec.partialFilterExpression = raw.partialFilterExpression;
  }
  if (raw.hidden === true) {
    if (spec.name === ID_INDEX_SPEC.name) throw badValue("can't hide _id index");
    spec.hidden = true;
  }
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
    a.expireAfterSeconds === b.expireAfterSeconds &&
    canonicalKey(a.partialFilterExpression ?? null) ===
      canonicalKey(b.partialFilterExpression ?? null)
  );
}

/**
 * A hash index over committed documents: key → ids of the documents holding it. Equality and
 * `$in` lookups use it; everything else (ranges, sorts) is evaluated on the candidates.
 */
export class Index {
  readonly fields: string[];
  private readonly entries = new Map<string, Set<string>>();
  /** For compound indexes: first field's key → ids, so a filter on that field alone is served. */
  private readonly prefixEntries?: Map<string, Set<string>>;

  /** Replaced whole by collMod (hidden, expireAfterSeconds); the key pattern never changes. */
  /** The partial filter's test: documents failing it contribute no keys. */
  private readonly selects?: (document: Document) => boolean;
  private readonly hashed: boolean;
  private readonly collation?: Collation;

  constructor(public spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    if (this.fields.length > 1) this.prefixEntries = new Map();
    if (spec.partialFilterExpression) this.selects = compileFilter(spec.partialFilterExpression);
    this.hashed = Object.values(spec.key).includes('hashed');
    this.collation = parseCollation(spec.collation);
  }

  get name(): string {
    return this.spec.name;
  }

  /** Whether some documents cannot be indexed (parallel arrays, arrays in a hashed field). */
  get mayRefuse(): boolean {
    return this.fields.length > 1 || this.hashed;
  }

  get unique(): boolean {
    return this.spec.unique === true;
  }

  /**
   * The keys a document contributes: one per element for array fields (multikey). Throws
   * CannotIndexParallelArrays when two fields of a compound index cross different arrays, as
   * MongoDB does, rather than index every combination of their elements.
   */
  keysOf(document: Document): IndexKey[] {
    if (this.selects && !this.selects(document)) return [];
    let combinations: unknown[][] = [[]];
    let anyPresent = false;
    let multikey: { field: string; arrays: Set<string> } | undefined;
    for (const field of this.fields) {
      const { values, arrays } = indexedValuesAtPath(document, field);
      if (this.hashed && arrays.size > 0) {
        throw new MongoCommandError(
          'Location16766',
          `Error: hashed indexes do not currently support array values. Found array at path: ${field}`,
        );
      }
      if (arrays.size > 0) {
        if (multikey && crossesOtherArrays(arrays, multikey.arrays)) {
          throw new MongoCommandError(
            'CannotIndexParallelArrays',
            `cannot index parallel arrays [${field}] [${multikey.field}]`,
          );
        }
        multikey ??= { field, arrays };
      }
      if (values.length > 0) anyPresent = true;
      const choices = values.length > 0 ? uniqueValues(values) : [null];
      combinations = combinations.flatMap((prefix) => choices.map((value) => [...prefix, value]));
    }
    if (this.spec.sparse && !anyPresent) return [];
    return combinations.map((values) => ({ key: this.keyOf(values), values }));
  }

  /** `undefined` is an empty array's key, distinct from null (a missing field or null). */
  keyOf(values: unknown[]): string {
    const collation = this.collation;
    return values
      .map((value) => {
        if (value === undefined) return 'u';
        return canonicalKey(collation ? foldStrings(value, collation) : value);
      })
      .join('\u0000');
  }

  holders(key: string): ReadonlySet<string> | undefined {
    return this.entries.get(key);
  }

  add(id: string, document: Document): void {
    for (const { key, values } of this.keysOf(document)) {
      addTo(this.entries, key, id);
      if (this.prefixEntries) addTo(this.prefixEntries, this.keyOf(values.slice(0, 1)), id);
    }
  }

  remove(id: string, document: Document): void {
    for (const { key, values } of this.keysOf(document)) {
      removeFrom(this.entries, key, id);
      if (this.prefixEntries) removeFrom(this.prefixEntries, this.keyOf(values.slice(0, 1)), id);
    }
  }

  /**
   * Sets of ids (which may overlap) of the documents that may match `filter` under `collation`,
   * when it pins this index's fields (all of them, or for a compound index the first) by
   * equality; undefined when it does not.
   */
  candidates(
    filter: Document,
    wholeKeyOnly: boolean,
    collation?: Collation,
  ): ReadonlySet<string>[] | undefined {
    // Sparse and partial indexes lack documents the filter may match; hidden ones are not used.
    if (this.spec.sparse || this.spec.hidden || this.selects) return undefined;
    // Strings are keyed by the index's collation; other values key alike under any.
    const usable = (combinations: unknown[][] | undefined) =>
      combinations &&
      (sameCollation(this.collation, collation) || !combinations.some(holdsString)
        ? combinations
        : undefined);
    const whole = usable(equalityKeys(this.fields, filter));
    if (whole)
      return holdersOf(
        this.entries,
        whole.map((values) => this.keyOf(values)),
      );
    if (wholeKeyOnly || !this.prefixEntries) return undefined;
    const first = usable(equalityKeys(this.fields.slice(0, 1), filter));
    return (
      first &&
      holdersOf(
        this.prefixEntries,
        first.map((values) => this.keyOf(values)),
      )
    );
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

function holdsString(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (Array.isArray(value)) return value.some(holdsString);
  return isPlainObject(value) && Object.values(value).some(holdsString);
}

function addTo(map: Map<string, Set<string>>, key: string, id: string): void {
  let ids = map.get(key);
  if (!ids) map.set(key, (ids = new Set()));
  ids.add(id);
}

function removeFrom(map: Map<string, Set<string>>, key: string, id: string): void {
  const ids = map.get(key);
  ids?.delete(id);
  if (ids?.size === 0) map.delete(key);
}

function holdersOf(map: Map<string, Set<string>>, keys: string[]): ReadonlySet<string>[] {
  return keys.flatMap((key) => map.get(key) ?? []);
}

/** Whether `arrays` holds an array that `others` does not cross (fields sharing one array do not). */
function crossesOtherArrays(arrays: Set<string>, others: Set<string>): boolean {
  const extra = (a: Set<string>, b: Set<string>) => [...a].some((path) => !b.has(path));
  return extra(arrays, others) && extra(others, arrays);
}

function uniqueValues(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = value === undefined ? 'u' : canonicalKey(value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The value combinations a filter pins by equality on `fields`, or undefined when it does not
 * pin them all. The documents they reach are a superset of the matches; the full filter is
 * always evaluated on them.
 */
function equalityKeys(fields: string[], filter: Document): unknown[][] | undefined {
  let combinations: unknown[][] = [[]];
  for (const field of fields) {
    const values = pinnedValues(filter, field);
    if (!values) return undefined;
    combinations = combinations.flatMap((prefix) => values.map((value) => [...prefix, value]));
    if (combinations.length > 1000) return undefined;
  }
  return combinations;
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
