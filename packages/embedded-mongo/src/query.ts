import { BSONRegExp, Decimal128, type Document, EJSON, Timestamp } from 'bson';
import { Aggregator, Query, update as applyModifier } from 'mingo';
import * as pipelineOperators from 'mingo/operators/pipeline';

import { canonicalKey, compareBson, isPlainObject } from './bson-order';
import { type Collation, foldStrings } from './collation';
import { badValue, failedToParse, MongoCommandError } from './errors';
import {
  escapeNames,
  escapePipeline,
  mentionsReservedNames,
  setOwn,
  unescapeNames,
} from './field-names';
import { valuesAtPath, valueAtPath } from './paths';

/** A copy whose plain objects and arrays are new, so updates never touch committed versions. */
export function cloneDocument<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneDocument) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) setOwn(copy, key, cloneDocument(field));
    return copy as T;
  }
  return value;
}

function asCommandError(error: unknown, fallback: (message: string) => MongoCommandError): never {
  if (error instanceof MongoCommandError) throw error;
  throw fallback(error instanceof Error ? error.message : String(error));
}

// Numbers are held as JavaScript numbers, so int, long, double and decimal cannot be told apart.
const NUMERIC_SUBTYPES = new Set<unknown>(['int', 'long', 'double', 'decimal', 1, 16, 18, 19]);

/**
 * Server-side JavaScript is disabled here, as in a mongod started with `--noscripting`: the
 * operators that would run it are refused with that server's errors.
 */
function scriptingRefusal(operator: string): MongoCommandError | undefined {
  if (operator === '$where') {
    return new MongoCommandError('Location6108304', 'no globalScriptEngine in $where parsing');
  }
  if (operator === '$function' || operator === '$accumulator') {
    return new MongoCommandError(
      'Location31264',
      `Cannot run server-side javascript without the javascript engine enabled (${operator})`,
    );
  }
  return undefined;
}

// Operators that need text or geospatial indexes, which this server does not have.
const TEXT_AND_GEO_OPERATORS = new Set([
  '$text',
  '$near',
  '$nearSphere',
  '$geoWithin',
  '$geoIntersects',
  '$within',
]);

/** Refuses a pipeline or expression that would run server-side JavaScript. */
export function assertNoScripting(value: unknown): void {
  if (Array.isArray(value)) return value.forEach(assertNoScripting);
  if (!isPlainObject(value)) return;
  for (const [key, field] of Object.entries(value)) {
    const refusal = scriptingRefusal(key);
    if (refusal) throw refusal;
    assertNoScripting(field);
  }
}

/** Refuses what this server cannot answer as MongoDB would, rather than answer wrongly. */
function assertAnswerable(condition: unknown): void {
  if (Array.isArray(condition)) return condition.forEach(assertAnswerable);
  if (condition instanceof Decimal128) {
    throw new MongoCommandError(
      'NotImplemented',
      'queries on Decimal128 values are not supported by the embedded server (stored ' +
        'Decimal128 values are kept and returned intact)',
    );
  }
  if (!isPlainObject(condition)) return;
  for (const [key, value] of Object.entries(condition)) {
    const refusal = scriptingRefusal(key);
    if (refusal) throw refusal;
    if (TEXT_AND_GEO_OPERATORS.has(key)) {
      throw new MongoCommandError(
        'NotImplemented',
        `${key} is not supported by the embedded server (it has no text or geospatial indexes)`,
      );
    }
    if (key === '$type' && [value].flat().some((type) => NUMERIC_SUBTYPES.has(type))) {
      throw new MongoCommandError(
        'NotImplemented',
        `$type: ${JSON.stringify(value)} is not supported by the embedded server (it keeps ` +
          `every number as one numeric type); use $type: "number"`,
      );
    }
    assertAnswerable(value);
  }
}

function isPlainInValue(value: unknown): boolean {
  return (
    value !== null &&
    value !== undefined &&
    !Array.isArray(value) &&
    !(value instanceof RegExp) &&
    !(value instanceof BSONRegExp)
  );
}

/**
 * Splits off top-level `{ field: { $in: [...] } }` conditions over plain values, which are
 * checked against a set of canonical keys here. mingo checks `$in` by hashing every listed
 * value for every document, which made `customerId: { $in: [50 ids] }` the costliest part of a
 * gateway request. Top-level conditions are ANDed, so splitting them keeps the meaning.
 */
function splitSetMembership(filter: Document): { sets: [string, Set<string>][]; rest: Document } {
  const sets: [string, Set<string>][] = [];
  const rest: Document = {};
  for (const [field, condition] of Object.entries(filter)) {
    const simple =
      !field.startsWith('$') &&
      !/(^|\.)\d+(\.|$)/.test(field) &&
      isPlainObject(condition) &&
      Object.keys(condition).length === 1 &&
      Array.isArray(condition.$in) &&
      condition.$in.every(isPlainInValue);
    if (simple) sets.push([field, new Set((condition.$in as unknown[]).map(canonicalKey))]);
    else setOwn(rest, field, condition);
  }
  return { sets, rest };
}

/**
 * What a collation cannot fold: patterns (MongoDB matches them bytewise whatever the collation,
 * but they would meet folded text here) and expressions.
 */
function assertCollatable(condition: unknown): void {
  if (Array.isArray(condition)) return condition.forEach(assertCollatable);
  if (condition instanceof RegExp || condition instanceof BSONRegExp) {
    throw new MongoCommandError(
      'NotImplemented',
      'regular expressions with a collation are not supported by the embedded server',
    );
  }
  if (!isPlainObject(condition)) return;
  for (const [key, value] of Object.entries(condition)) {
    if (key === '$regex' || key === '$expr') {
      throw new MongoCommandError(
        'NotImplemented',
        `${key} with a collation is not supported by the embedded server`,
      );
    }
    assertCollatable(value);
  }
}

/**
 * A compiled filter; unknown or malformed operators are BadValue, as in MongoDB. Under a
 * collation, strings in the filter and in each document are compared folded.
 */
export function compileFilter(
  filter: unknown,
  collation?: Collation,
): (document: Document) => boolean {
  if (filter === undefined || filter === null) return () => true;
  if (!isPlainObject(filter)) throw badValue('filter must be an object');
  if (Object.keys(filter).length === 0) return () => true;
  assertAnswerable(filter);
  if (collation) {
    assertCollatable(filter);
    const folded = compileFilter(foldStrings(filter, collation));
    return (document) => folded(foldStrings(document, collation) as Document);
  }
  if (mentionsReservedNames(filter)) {
    const escaped = compileFilter(escapeNames(filter));
    return (document) => escaped(escapeNames(document));
  }
  const { sets, rest } = splitSetMembership(filter);
  let query: Query | undefined;
  try {
    if (Object.keys(rest).length > 0) query = new Query(rest);
  } catch (error) {
    const unknown = /unknown query operator (\S+)/.exec(String((error as Error)?.message));
    if (unknown) throw badValue(`unknown operator: ${unknown[1]}`);
    asCommandError(error, badValue);
  }
  return (document) =>
    sets.every(([field, keys]) =>
      valuesAtPath(document, field).some((value) => keys.has(canonicalKey(value))),
    ) &&
    (query === undefined || query.test(document));
}

type ProjectionMode = 'inclusion' | 'exclusion';

function fieldMode(value: unknown): ProjectionMode | undefined {
  if (value === 0 || value === false) return 'exclusion';
  if (isPlainObject(value) && Object.keys(value).length === 1 && '$slice' in value)
    return undefined;
  return 'inclusion';
}

/** MongoDB's check: a projection includes or excludes, never both (except `_id`). */
function projectionMode(projection: Document): ProjectionMode | undefined {
  let mode: ProjectionMode | undefined;
  for (const [field, value] of Object.entries(projection)) {
    if (field === '_id') continue;
    const current = fieldMode(value);
    if (!current) continue;
    if (mode && current !== mode) {
      throw mode === 'inclusion'
        ? new MongoCommandError(
            'Location31254',
            `Cannot do exclusion on field ${field} in inclusion projection`,
          )
        : new MongoCommandError(
            'Location31253',
            `Cannot do inclusion on field ${field} in exclusion projection`,
          );
    }
    mode = current;
  }
  return mode;
}

function sliceArray(array: unknown[], spec: unknown): unknown[] {
  if (typeof spec === 'number') return spec >= 0 ? array.slice(0, spec) : array.slice(spec);
  if (Array.isArray(spec) && spec.length === 2) {
    const [skip, count] = spec as [number, number];
    const start = skip >= 0 ? skip : Math.max(0, array.length + skip);
    return array.slice(start, start + count);
  }
  throw badValue('$slice only supports numbers and [skip, limit] arrays');
}

/**
 * The index of the element the positional `$` stands for: the first element of the array at
 * `arrayPath` that the filter's conditions on that array match (-1 when none does).
 */
function positionalIndex(document: Document, arrayPath: string, filter: Document): number {
  const array = valueAtPath(document, arrayPath);
  if (!Array.isArray(array)) return -1;
  // Each element is tested as a one-element array at the same path, so that conditions on the
  // array (`items.price`, `items: {$elemMatch}`, `tags: "a"`) keep their array meaning.
  const conditions: Document = {};
  for (const [field, condition] of Object.entries(filter)) {
    if (field === arrayPath || field.startsWith(`${arrayPath}.`))
      setOwn(conditions, field, condition);
  }
  if (Object.keys(conditions).length === 0) return -1;
  const matches = compileFilter(conditions);
  return array.findIndex((element) => {
    const probe: Document = {};
    setPath(probe, arrayPath, [element]);
    return matches(probe);
  });
}

function isElemMatch(value: unknown): value is { $elemMatch: Document } {
  return isPlainObject(value) && Object.keys(value).length === 1 && '$elemMatch' in value;
}

/**
 * Applies a find projection: inclusion, exclusion, nested paths, `$slice`, `$elemMatch` and the
 * positional `$`. `filter` is the query, which the positional `$` refers to.
 */
export function projectDocuments(
  documents: Document[],
  projection: unknown,
  filter: Document = {},
): Document[] {
  if (projection === undefined || projection === null) return documents;
  if (!isPlainObject(projection)) throw badValue('projection must be an object');
  if (Object.keys(projection).length === 0) return documents;
  const mode = projectionMode(projection);
  const slices = Object.entries(projection).filter(
    (entry): entry is [string, Document] => isPlainObject(entry[1]) && '$slice' in entry[1],
  );
  const elemMatches = Object.entries(projection)
    .filter((entry): entry is [string, { $elemMatch: Document }] => isElemMatch(entry[1]))
    .map(([field, value]) => {
      if (field.includes('.')) {
        throw new MongoCommandError(
          'Location31275',
          'Cannot use $elemMatch projection on a nested field.',
        );
      }
      const matches = compileFilter({ [field]: value });
      return { field, matches: (element: unknown) => matches({ [field]: [element] }) };
    });
  const positional = Object.keys(projection).filter((field) => field.endsWith('.$'));
  // mingo does the inclusion/exclusion part; $slice, $elemMatch and positional $ are applied
  // here. Reserved names are escaped for mingo and restored after.
  const rest: Document = {};
  for (const [field, value] of Object.entries(projection)) {
    if (field.endsWith('.$')) setOwn(rest, field.slice(0, -2), 1);
    else if ((isPlainObject(value) && '$slice' in value) || isElemMatch(value)) {
      if (mode === 'inclusion') setOwn(rest, field, 1);
    } else setOwn(rest, field, value);
  }
  const escapedRest = escapeNames(rest);
  return documents.map((document) => {
    let projected: Document;
    try {
      // mingo projects nested exclusions by deleting from its input: give it a copy, never the
      // committed version.
      projected =
        Object.keys(rest).length > 0
          ? unescapeNames(
              new Query({}).find([escapeNames(document)], escapedRest).all()[0] as Document,
            )
          : cloneDocument(document);
    } catch (error) {
      asCommandError(error, badValue);
    }
    for (const [field, value] of slices) {
      const array = valueAtPath(projected, field);
      if (Array.isArray(array)) setPath(projected, field, sliceArray(array, value.$slice));
    }
    for (const { field, matches } of elemMatches) {
      const array = document[field];
      const element = Array.isArray(array) ? array.find(matches) : undefined;
      if (element === undefined) delete projected[field];
      else setOwn(projected, field, [cloneDocument(element)]);
    }
    for (const field of positional) {
      const arrayPath = field.slice(0, -2);
      if (!mentionsArray(filter, arrayPath)) {
        throw badValue(
          'Executor error during find command :: caused by :: positional operator ' +
            `'${arrayPath}.$' requires the array field in the query`,
        );
      }
      const index = positionalIndex(document, arrayPath, filter);
      if (index >= 0) {
        const array = valueAtPath(document, arrayPath) as unknown[];
        setPath(projected, arrayPath, [cloneDocument(array[index])]);
      }
    }
    return projected;
  });
}

function mentionsArray(filter: Document, arrayPath: string): boolean {
  return Object.keys(filter).some(
    (field) => field === arrayPath || field.startsWith(`${arrayPath}.`),
  );
}

/** Validates a sort specification: `{ field: 1 | -1 }`. */
export function parseSort(sort: unknown): [string, 1 | -1][] | undefined {
  if (sort === undefined || sort === null) return undefined;
  if (!isPlainObject(sort)) throw badValue('sort must be an object');
  return Object.entries(sort).map(([field, direction]) => {
    if (direction !== 1 && direction !== -1) {
      throw badValue(`$sort key ordering must be 1 (for ascending) or -1 (for descending)`);
    }
    return [field, direction];
  });
}

/**
 * The value a document sorts by on one field: for arrays the smallest element ascending and the
 * largest descending, as MongoDB does; missing sorts as null.
 */
function sortKey(
  document: Document,
  field: string,
  direction: 1 | -1,
  collation: Collation | undefined,
): unknown {
  const values = valuesAtPath(document, field);
  if (values.length === 0) return null;
  return values.reduce((best, value) =>
    compareBson(value, best, collation?.compareStrings) * direction < 0 ? value : best,
  );
}

/** Sorts in MongoDB's BSON order; ties keep their natural (insertion) order. */
export function sortDocuments(
  documents: Document[],
  sort: [string, 1 | -1][],
  collation?: Collation,
): Document[] {
  const keyed = documents.map((document, position) => ({
    document,
    position,
    keys: sort.map(([field, direction]) => sortKey(document, field, direction, collation)),
  }));
  keyed.sort((a, b) => {
    for (let i = 0; i < sort.length; i++) {
      const order = compareBson(a.keys[i], b.keys[i], collation?.compareStrings) * sort[i][1];
      if (order !== 0) return order;
    }
    return a.position - b.position;
  });
  return keyed.map(({ document }) => document);
}

const UPDATE_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$push',
  '$addToSet',
  '$pull',
  '$pullAll',
  '$pop',
  '$rename',
  '$setOnInsert',
  '$currentDate',
  '$bit',
]);
const PIPELINE_UPDATE_STAGES = new Set([
  '$addFields',
  '$set',
  '$project',
  '$unset',
  '$replaceRoot',
  '$replaceWith',
]);

export type UpdateSpec =
  | { kind: 'replacement'; replacement: Document }
  | { kind: 'operators'; operators: Document }
  | { kind: 'pipeline'; pipeline: Document[] };

/** Classifies and validates an update: replacement document, operators or pipeline. */
export function parseUpdate(update: unknown): UpdateSpec {
  if (Array.isArray(update)) {
    for (const stage of update) {
      const name = isPlainObject(stage) ? Object.keys(stage)[0] : undefined;
      if (!name || !PIPELINE_UPDATE_STAGES.has(name)) {
        throw new MongoCommandError(
          'Location40324',
          `Invalid update pipeline stage ${String(name)}: only $addFields, $set, $project, ` +
            `$unset, $replaceRoot and $replaceWith are allowed`,
        );
      }
    }
    return { kind: 'pipeline', pipeline: update as Document[] };
  }
  if (!isPlainObject(update))
    throw failedToParse('Update argument must be either an object or an array');
  const keys = Object.keys(update);
  const operatorKeys = keys.filter((key) => key.startsWith('$'));
  if (operatorKeys.length === 0) return { kind: 'replacement', replacement: update };
  if (operatorKeys.length !== keys.length) {
    throw failedToParse(
      `Unknown modifier: ${keys.find((key) => !key.startsWith('$'))}. Expected a valid update ` +
        `modifier or pipeline-style update specified as an array`,
    );
  }
  for (const operator of operatorKeys) {
    if (!UPDATE_OPERATORS.has(operator)) {
      throw failedToParse(
        `Unknown modifier: ${operator}. Expected a valid update modifier or pipeline-style ` +
          `update specified as an array`,
      );
    }
    const fields = update[operator];
    if (!isPlainObject(fields)) {
      throw failedToParse(
        `Modifiers operate on fields but we found type ${typeof fields} instead.`,
      );
    }
  }
  return { kind: 'operators', operators: update };
}

function operatorPaths(operators: Document): [string, string, unknown][] {
  const paths: [string, string, unknown][] = [];
  for (const [operator, fields] of Object.entries(operators)) {
    for (const [path, argument] of Object.entries(fields as Document)) {
      paths.push([operator, path, argument]);
      if (operator === '$rename' && typeof argument === 'string') {
        paths.push([operator, argument, undefined]);
      }
    }
  }
  return paths;
}

/** MongoDB refuses two operators on the same path or on a path and its prefix (code 40). */
function assertNoConflicts(paths: [string, string, unknown][]): void {
  const seen: string[] = [];
  for (const [, path] of paths) {
    const clash = seen.find(
      (other) => other === path || other.startsWith(`${path}.`) || path.startsWith(`${other}.`),
    );
    if (clash !== undefined) {
      throw new MongoCommandError(
        'ConflictingUpdateOperators',
        `Updating the path '${path}' would create a conflict at '${clash.length < path.length ? clash : path}'`,
      );
    }
    seen.push(path);
  }
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  if (value === null) return 'null';
  if (isPlainObject(value)) return 'object';
  return typeof value;
}

const NUMERIC_OPERATORS: Record<string, string> = { $inc: 'increment', $mul: 'multiply' };
const ARRAY_OPERATORS = new Set(['$push', '$addToSet', '$pop', '$pull', '$pullAll']);

/**
 * Whether an operator on `_id` (or a field of it) leaves it as it is: setting it to its
 * current value, or giving the document an upsert creates its first `_id`.
 */
function leavesIdAlone(
  document: Document,
  operator: string,
  path: string,
  argument: unknown,
): boolean {
  if (operator !== '$set' && operator !== '$setOnInsert') return false;
  if (document._id === undefined) return true;
  const current = valueAtPath(document, path);
  return current !== undefined && compareBson(current, argument) === 0;
}

/** Checks MongoDB makes before applying operators, which mingo would otherwise let through. */
function assertApplicable(document: Document, operators: Document, arrayFilters: Document[]): void {
  const paths = operatorPaths(operators);
  assertNoConflicts(paths);
  const identifiers = new Set(
    arrayFilters.flatMap((filter) => Object.keys(filter).map((key) => key.split('.')[0])),
  );
  const used = new Set<string>();
  for (const [operator, path, argument] of paths) {
    if (
      (path === '_id' || path.startsWith('_id.')) &&
      !leavesIdAlone(document, operator, path, argument)
    ) {
      throw new MongoCommandError(
        'ImmutableField',
        `Performing an update on the path '_id' would modify the immutable field '_id'`,
      );
    }
    for (const [, identifier] of path.matchAll(/\$\[([^\]]+)\]/g)) {
      if (!identifiers.has(identifier)) {
        throw badValue(`No array filter found for identifier '${identifier}' in path '${path}'`);
      }
      used.add(identifier);
    }
    if (path.includes('$')) continue;
    const current = valueAtPath(document, path);
    if (NUMERIC_OPERATORS[operator]) {
      if (typeof argument !== 'number') {
        throw new MongoCommandError(
          'TypeMismatch',
          `Cannot ${NUMERIC_OPERATORS[operator]} with non-numeric argument: {${path}: ` +
            `${JSON.stringify(argument)}}`,
        );
      }
      if (current !== undefined && current !== null && typeof current !== 'number') {
        throw new MongoCommandError(
          'TypeMismatch',
          `Cannot apply ${operator} to a value of non-numeric type. {_id: ` +
            `${JSON.stringify(document._id)}} has the field '${path.split('.').pop()}' of ` +
            `non-numeric type ${typeName(current)}`,
        );
      }
    }
    if (ARRAY_OPERATORS.has(operator) && current !== undefined && !Array.isArray(current)) {
      throw badValue(
        operator === '$pull' || operator === '$pullAll'
          ? 'Cannot apply $pull to a non-array value'
          : `The field '${path.split('.').pop()}' must be an array but is of type ` +
              `${typeName(current)} in document {_id: ${JSON.stringify(document._id)}}`,
      );
    }
  }
  for (const identifier of identifiers) {
    if (!used.has(identifier)) {
      throw failedToParse(
        `The array filter for identifier '${identifier}' was not used in the update { }`,
      );
    }
  }
}

const POSITIONAL = /^(.*?)\.\$(?=\.|$)/;

/**
 * The path with its positional `$` replaced by the index of the element the filter matched,
 * as MongoDB resolves it from the query, before any operator changes the array.
 */
function resolvePositional(document: Document, path: string, filter: Document | undefined): string {
  const match = POSITIONAL.exec(path);
  if (!match) return path;
  const arrayPath = match[1];
  const index =
    filter && mentionsArray(filter, arrayPath) ? positionalIndex(document, arrayPath, filter) : -1;
  if (index < 0) {
    throw badValue('The positional operator did not find the match needed from the query.');
  }
  return `${arrayPath}.${index}${path.slice(match[0].length)}`;
}

/** Compares paths as MongoDB orders update fields: component by component, numbers numerically. */
function comparePaths(a: string, b: string): number {
  const left = a.split('.');
  const right = b.split('.');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] === right[i]) continue;
    const numeric = /^\d+$/.test(left[i]) && /^\d+$/.test(right[i]);
    if (numeric) return Number(left[i]) - Number(right[i]);
    return left[i] < right[i] ? -1 : 1;
  }
  return left.length - right.length;
}

const LOGICAL_OPERATORS = new Set(['$and', '$or', '$nor']);

/**
 * What `$pull` removes, as MongoDB reads its argument: a document of conditions is a query on
 * each document element (`{a: {$gt: 1}, $or: [...]}`); operators on their own (`{$gt: 3}`)
 * and regexes test the element itself; anything else is an equality.
 */
function pullMatcher(condition: unknown): (element: unknown) => boolean {
  if (isPlainObject(condition)) {
    const first = Object.keys(condition)[0];
    if (first?.startsWith('$') && !LOGICAL_OPERATORS.has(first)) {
      const test = compileFilter({ element: condition });
      return (element) => test({ element });
    }
    const test = compileFilter(condition);
    return (element) => isPlainObject(element) && test(element);
  }
  if (condition instanceof RegExp || condition instanceof BSONRegExp) {
    const test = compileFilter({ element: condition });
    return (element) => test({ element });
  }
  return (element) => compareBson(element, condition) === 0;
}

/** Replaces the value at a path whose containers exist (`items.2.tags`). */
function replaceAtPath(document: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let target: unknown = document;
  for (const part of parts.slice(0, -1)) target = (target as Record<string, unknown>)[part];
  setOwn(target as Record<string, unknown>, parts[parts.length - 1], value);
}

/** One operator on one path, applied on its own so that mingo never sees two paths at once. */
interface UpdateStep {
  operator: string;
  path: string;
  argument: unknown;
}

function updateSteps(
  document: Document,
  operators: Document,
  options: { filter?: Document; inserting?: boolean },
): UpdateStep[] {
  const steps: UpdateStep[] = [];
  const now = new Date();
  for (const [operator, fields] of Object.entries(operators)) {
    if (operator === '$setOnInsert' && !options.inserting) continue;
    for (const [path, argument] of Object.entries(fields as Document)) {
      if ((path === '_id' || path.startsWith('_id.')) && document._id !== undefined) continue;
      const resolved = options.inserting ? path : resolvePositional(document, path, options.filter);
      if (options.inserting && POSITIONAL.test(path)) {
        throw badValue('The positional operator did not find the match needed from the query.');
      }
      if (operator === '$currentDate') {
        steps.push({ operator: '$set', path: resolved, argument: currentDateValue(argument, now) });
      } else {
        steps.push({
          operator: operator === '$setOnInsert' ? '$set' : operator,
          path: resolved,
          argument,
        });
      }
    }
  }
  return steps.sort((a, b) => comparePaths(a.path, b.path));
}

let timestampCounter = 0;

/** `$currentDate`'s value: a Date, or a Timestamp when `{ $type: 'timestamp' }`. */
function currentDateValue(spec: unknown, now: Date): unknown {
  return isPlainObject(spec) && spec.$type === 'timestamp'
    ? new Timestamp({ t: Math.floor(now.getTime() / 1000), i: ++timestampCounter })
    : now;
}

/**
 * Applies an update to a copy of `document`. `inserting` is true for the document an upsert
 * creates, the only time `$setOnInsert` applies. Throws ImmutableField if `_id` would change.
 */
export function applyUpdate(
  document: Document,
  spec: UpdateSpec,
  options: { filter?: Document; arrayFilters?: Document[]; inserting?: boolean },
): Document {
  let result: Document;
  if (spec.kind === 'replacement') {
    result = { _id: document._id, ...cloneDocument(spec.replacement) };
    if (spec.replacement._id === undefined) result._id = document._id;
  } else if (spec.kind === 'pipeline') {
    try {
      result = unescapeNames(
        new Aggregator(escapePipeline(spec.pipeline)).run([escapeNames(document)])[0] as Document,
      );
    } catch (error) {
      asCommandError(error, failedToParse);
    }
  } else {
    assertApplicable(document, spec.operators, options.arrayFilters ?? []);
    // Reserved names are escaped for mingo only when there are any: escaping copies.
    const reserved =
      mentionsReservedNames(spec.operators) ||
      mentionsReservedNames(options.arrayFilters) ||
      mentionsReservedNames(document);
    const escape = <T>(value: T): T => (reserved ? escapeNames(value) : value);
    const arrayFilters = escape(options.arrayFilters ?? []);
    // A copy either way: the committed version is never touched.
    result = reserved ? escapeNames(document) : cloneDocument(document);
    for (const { operator, path, argument } of updateSteps(document, spec.operators, options)) {
      const escapedPath = Object.keys(escape({ [path]: 0 }))[0];
      const escapedArgument = escape(argument);
      if (operator === '$pull' && !path.includes('$')) {
        const array = valueAtPath(result, escapedPath);
        if (Array.isArray(array)) {
          const matches = pullMatcher(escapedArgument);
          const kept = array.filter((element) => !matches(element));
          if (kept.length !== array.length) replaceAtPath(result, escapedPath, kept);
        }
        continue;
      }
      try {
        applyModifier(
          result,
          { [operator]: { [escapedPath]: escapedArgument } },
          arrayFilters,
          {},
          {
            cloneMode: 'deep',
          },
        );
      } catch (error) {
        asCommandError(error, badValue);
      }
    }
    if (reserved) result = unescapeNames(result);
  }
  if (compareBson(result._id, document._id) !== 0 && document._id !== undefined) {
    throw new MongoCommandError(
      'ImmutableField',
      `After applying the update, the (immutable) field '_id' was found to have been altered ` +
        `to _id: ${EJSON.stringify(result._id ?? null, { relaxed: true })}`,
    );
  }
  return result;
}

/** The document an upsert starts from: the filter's equality fields (`{a: 1, 'b.c': 2}`). */
export function upsertSeed(filter: Document): Document {
  const seed: Document = {};
  const addEqualities = (clause: Document) => {
    for (const [field, condition] of Object.entries(clause)) {
      if (field === '$and' && Array.isArray(condition)) {
        condition.forEach((part) => isPlainObject(part) && addEqualities(part));
        continue;
      }
      if (field.startsWith('$')) continue;
      let value: unknown = condition;
      if (isPlainObject(condition) && Object.keys(condition).some((key) => key.startsWith('$'))) {
        if (!('$eq' in condition)) continue;
        value = condition.$eq;
      }
      setPath(seed, field, cloneDocument(value));
    }
  };
  addEqualities(filter);
  return seed;
}

function setPath(document: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let target = document;
  for (const part of parts.slice(0, -1)) {
    const next = Object.prototype.hasOwnProperty.call(target, part) ? target[part] : undefined;
    if (!isPlainObject(next)) setOwn(target, part, {});
    target = target[part] as Document;
  }
  setOwn(target, parts[parts.length - 1], value);
}

const PIPELINE_STAGES = new Set(Object.keys(pipelineOperators));

/**
 * Runs an aggregation pipeline; `$lookup` and friends read other collections via `resolve`.
 * Stages such as a nested `$set` edit the documents they are given in place, so both the input
 * and every joined collection are copies: committed versions must never change.
 */
export function runPipeline(
  documents: Document[],
  pipeline: Document[],
  resolve: (collection: string) => Document[],
  collation?: Collation,
): Document[] {
  for (const stage of pipeline) {
    const name = Object.keys(stage)[0];
    if (!PIPELINE_STAGES.has(name)) {
      throw new MongoCommandError('Location40324', `Unrecognized pipeline stage name: '${name}'`);
    }
  }
  assertNoScripting(pipeline);
  try {
    // Every input is copied (escaping reserved field names copies too): stages may edit them.
    let reserved = mentionsReservedNames(pipeline) || documents.some(mentionsReservedNames);
    const copy = (document: Document) =>
      reserved ? escapeNames(document) : cloneDocument(document);
    const results = new Aggregator(escapePipeline(rewriteCount(pipeline)), {
      collectionResolver: (collection) => {
        // Joined documents are escaped whatever they hold, and the results restored.
        reserved = true;
        return resolve(collection).map(escapeNames);
      },
      ...(collation
        ? { collation: { locale: collation.locale, strength: collation.strength } }
        : {}),
    }).run(documents.map(copy)) as Document[];
    return reserved ? unescapeNames(results) : results;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /'(\$\w+)' is not registered/.exec(message);
    if (unknown) {
      throw new MongoCommandError(
        'InvalidPipelineOperator',
        `Unrecognized expression '${unknown[1]}'`,
      );
    }
    asCommandError(error, badValue);
  }
}

/**
 * `$count` as MongoDB defines it, a `$group` then a `$project`, so that no input gives no
 * document (mingo would give a count of zero).
 */
function rewriteCount(pipeline: Document[]): Document[] {
  return pipeline.flatMap((stage) =>
    typeof stage.$count === 'string'
      ? [{ $group: { _id: null, [stage.$count]: { $sum: 1 } } }, { $project: { _id: 0 } }]
      : [stage],
  );
}
