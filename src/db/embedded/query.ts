import { type Document } from 'bson';
import { Aggregator, Query, update as applyModifier } from 'mingo';

import { compareBson, isPlainObject } from './bson-order';
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

/** A compiled filter; unknown or malformed operators are BadValue, as in MongoDB. */
export function compileFilter(filter: unknown): (document: Document) => boolean {
  if (filter === undefined || filter === null) return () => true;
  if (!isPlainObject(filter)) throw badValue('filter must be an object');
  if (Object.keys(filter).length === 0) return () => true;
  try {
    const query = new Query(filter);
    return (document) => query.test(document);
  } catch (error) {
    asCommandError(error, badValue);
  }
}

/** Applies a find projection (inclusion, exclusion, nested paths, `$slice`, `$elemMatch`). */
export function projectDocuments(documents: Document[], projection: unknown): Document[] {
  if (projection === undefined || projection === null) return documents;
  if (!isPlainObject(projection)) throw badValue('projection must be an object');
  if (Object.keys(projection).length === 0) return documents;
  const values = Object.entries(projection)
    .filter(([field]) => field !== '_id')
    .map(([, value]) => value);
  const including = values.some((value) => value === 1 || value === true);
  const excluding = values.some((value) => value === 0 || value === false);
  if (including && excluding) {
    throw new MongoCommandError(
      'Location31254',
      'Cannot do exclusion on field in inclusion projection',
    );
  }
  try {
    return new Query({}).find(documents, projection).all() as Document[];
  } catch (error) {
    asCommandError(error, badValue);
  }
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

function assertNumericTargets(document: Document, operators: Document): void {
  for (const operator of ['$inc', '$mul'] as const) {
    for (const [path, amount] of Object.entries((operators[operator] ?? {}) as Document)) {
      if (typeof amount !== 'number') {
        throw new MongoCommandError(
          'TypeMismatch',
          `Cannot ${operator === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: ` +
            `{${path}: ${JSON.stringify(amount)}}`,
        );
      }
      const current = valueAtPath(document, path);
      if (current !== undefined && current !== null && typeof current !== 'number') {
        throw new MongoCommandError(
          'TypeMismatch',
          `Cannot apply ${operator} to a value of non-numeric type. {_id: ` +
            `${JSON.stringify(document._id)}} has the field '${path.split('.').pop()}' of ` +
            `non-numeric type ${Array.isArray(current) ? 'array' : typeof current}`,
        );
      }
    }
  }
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
    const { $setOnInsert, ...operators } = spec.operators;
    if (options.inserting && $setOnInsert) {
      operators.$set = { ...(operators.$set ?? {}), ...$setOnInsert };
    }
    result = cloneDocument(document);
    assertNumericTargets(result, operators);
    if (Object.keys(operators).length > 0) {
      try {
        applyModifier(result, operators, options.arrayFilters ?? [], options.filter ?? {}, {
          cloneMode: 'deep',
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (/conflict/.test(message))
          throw new MongoCommandError('ConflictingUpdateOperators', message);
        asCommandError(error, badValue);
      }
    }
  }
  if (compareBson(result._id, document._id) !== 0 && document._id !== undefined) {
    throw new MongoCommandError(
      'ImmutableField',
      `Performing an update on the path '_id' would modify the immutable field '_id'`,
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

/** Runs an aggregation pipeline; `$lookup` and friends read other collections via `resolve`. */
export function runPipeline(
  documents: Document[],
  pipeline: Document[],
  resolve: (collection: string) => Document[],
): Document[] {
  try {
    return new Aggregator(pipeline, { collectionResolver: resolve }).run(documents) as Document[];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/unregistered pipeline operator|unknown/i.test(message)) {
      throw new MongoCommandError('Location40324', `Unrecognized pipeline stage name: ${message}`);
    }
    asCommandError(error, badValue);
  }
}
