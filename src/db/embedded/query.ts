import { BSONRegExp, Decimal128, type Document, EJSON, Timestamp } from 'bson';
import { Aggregator, Query, update as applyModifier } from 'mingo';
import * as pipelineOperators from 'mingo/operators/pipeline';

import { canonicalKey, compareBson, isPlainObject } from './bson-order';
import { badValue, failedToParse, MongoCommandError } from './errors';
import { valuesAtPath, valueAtPath } from './paths';

/** A copy whose plain objects and arrays are new, so updates never touch committed versions. */
export function cloneDocument<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneDocument) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) copy[key] = cloneDocument(field);
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
    else rest[field] = condition;
  }
  return { sets, rest };
}

/** A compiled filter; unknown or malformed operators are BadValue, as in MongoDB. */
export function compileFilter(filter: unknown): (document: Document) => boolean {
  if (filter === undefined || filter === null) return () => true;
  if (!isPlainObject(filter)) throw badValue('filter must be an object');
  if (Object.keys(filter).length === 0) return () => true;
  assertAnswerable(filter);
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
 * The element a positional projection (`'items.$': 1`) returns: the first one the filter's
 * conditions on that array match.
 */
function positionalElement(document: Document, arrayPath: string, filter: Document): unknown {
  const array = valueAtPath(document, arrayPath);
  if (!Array.isArray(array)) return undefined;
  const conditions: Document = {};
  for (const [field, condition] of Object.entries(filter)) {
    if (field === arrayPath) conditions.element = condition;
    else if (field.startsWith(`${arrayPath}.`)) {
      conditions[`element.${field.slice(arrayPath.length + 1)}`] = condition;
    }
  }
  if (Object.keys(conditions).length === 0) {
    throw badValue(
      'Executor error during find command :: caused by :: positional operator ' +
        `'${arrayPath}.$' requires the array field in the query`,
    );
  }
  const matches = compileFilter(conditions);
  return array.find((element) => matches({ element }));
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
  const positional = Object.keys(projection).filter((field) => field.endsWith('.$'));
  // mingo does the inclusion/exclusion part; $slice and positional $ are applied here.
  const rest: Document = {};
  for (const [field, value] of Object.entries(projection)) {
    if (field.endsWith('.$')) rest[field.slice(0, -2)] = 1;
    else if (isPlainObject(value) && '$slice' in value) {
      if (mode === 'inclusion') rest[field] = 1;
    } else rest[field] = value;
  }
  return documents.map((document) => {
    let projected: Document;
    try {
      // mingo projects nested exclusions by deleting from its input: give it a copy, never the
      // committed version.
      projected =
        Object.keys(rest).length > 0
          ? (new Query({}).find([cloneDocument(document)], rest).all()[0] as Document)
          : cloneDocument(document);
    } catch (error) {
      asCommandError(error, badValue);
    }
    for (const [field, value] of slices) {
      const array = valueAtPath(projected, field);
      if (Array.isArray(array)) setPath(projected, field, sliceArray(array, value.$slice));
    }
    for (const field of positional) {
      const arrayPath = field.slice(0, -2);
      const element = positionalElement(document, arrayPath, filter);
      if (element !== undefined) setPath(projected, arrayPath, [element]);
    }
    return projected;
  });
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
function sortKey(document: Document, field: string, direction: 1 | -1): unknown {
  const values = valuesAtPath(document, field);
  if (values.length === 0) return null;
  return values.reduce((best, value) => (compareBson(value, best) * direction < 0 ? value : best));
}

/** Sorts in MongoDB's BSON order; ties keep their natural (insertion) order. */
export function sortDocuments(documents: Document[], sort: [string, 1 | -1][]): Document[] {
  const keyed = documents.map((document, position) => ({
    document,
    position,
    keys: sort.map(([field, direction]) => sortKey(document, field, direction)),
  }));
  keyed.sort((a, b) => {
    for (let i = 0; i < sort.length; i++) {
      const order = compareBson(a.keys[i], b.keys[i]) * sort[i][1];
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

/** Checks MongoDB makes before applying operators, which mingo would otherwise let through. */
function assertApplicable(document: Document, operators: Document, arrayFilters: Document[]): void {
  const paths = operatorPaths(operators);
  assertNoConflicts(paths);
  const identifiers = new Set(
    arrayFilters.flatMap((filter) => Object.keys(filter).map((key) => key.split('.')[0])),
  );
  const used = new Set<string>();
  for (const [operator, path, argument] of paths) {
    if (path === '_id' || path.startsWith('_id.')) {
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

function assertPositionalMatched(paths: string[], filter: Document): void {
  for (const path of paths) {
    const match = /^(.*?)\.\$(\.|$)/.exec(path);
    if (!match) continue;
    const arrayPath = match[1];
    const mentioned = Object.keys(filter).some(
      (field) => field === arrayPath || field.startsWith(`${arrayPath}.`),
    );
    if (!mentioned) {
      throw badValue('The positional operator did not find the match needed from the query.');
    }
  }
}

let timestampCounter = 0;

/** `$currentDate` as `$set`: a Date, or a Timestamp when `{ $type: 'timestamp' }`. */
function currentDateAsSet(fields: Document): Document {
  const now = new Date();
  const values: Document = {};
  for (const [path, spec] of Object.entries(fields)) {
    const wantsTimestamp = isPlainObject(spec) && spec.$type === 'timestamp';
    values[path] = wantsTimestamp
      ? new Timestamp({ t: Math.floor(now.getTime() / 1000), i: ++timestampCounter })
      : now;
  }
  return values;
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
      result = new Aggregator(spec.pipeline).run([cloneDocument(document)])[0] as Document;
    } catch (error) {
      asCommandError(error, failedToParse);
    }
  } else {
    const { $setOnInsert, $currentDate, ...operators } = spec.operators;
    const arrayFilters = options.arrayFilters ?? [];
    result = cloneDocument(document);
    assertApplicable(result, spec.operators, arrayFilters);
    if (!options.inserting)
      assertPositionalMatched(
        operatorPaths(operators).map(([, path]) => path),
        options.filter ?? {},
      );
    const sets = {
      ...(options.inserting ? $setOnInsert : {}),
      ...($currentDate ? currentDateAsSet($currentDate) : {}),
    };
    if (Object.keys(sets).length > 0) operators.$set = { ...(operators.$set ?? {}), ...sets };
    if (Object.keys(operators).length > 0) {
      try {
        // The filter lets mingo resolve the positional `$`; the seed of an upsert need not match it.
        applyModifier(
          result,
          operators,
          arrayFilters,
          options.inserting ? {} : (options.filter ?? {}),
          {
            cloneMode: 'deep',
          },
        );
      } catch (error) {
        asCommandError(error, badValue);
      }
    }
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
    if (!isPlainObject(target[part])) target[part] = {};
    target = target[part] as Document;
  }
  target[parts[parts.length - 1]] = value;
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
): Document[] {
  for (const stage of pipeline) {
    const name = Object.keys(stage)[0];
    if (!PIPELINE_STAGES.has(name)) {
      throw new MongoCommandError('Location40324', `Unrecognized pipeline stage name: '${name}'`);
    }
  }
  try {
    return new Aggregator(rewriteCount(pipeline), {
      collectionResolver: (collection) => resolve(collection).map(cloneDocument),
    }).run(documents.map(cloneDocument)) as Document[];
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
