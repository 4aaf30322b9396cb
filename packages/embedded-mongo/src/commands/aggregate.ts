import { type Document } from 'bson';

import { isPlainObject } from '../bson-order';
import { parseCollation } from '../collation';
import { failedToParse, MongoCommandError } from '../errors';
import { namespaceOf } from '../namespace';
import { runPipeline } from '../query';
import {
  assertValidHint,
  cursorCaller,
  existingCollection,
  matchingDocuments,
  nonNegativeInteger,
  type QueryStats,
} from './common';
import { type CommandContext, type CommandTable } from './context';

// Stages that write or need server internals; refused rather than half-done.
const UNSUPPORTED_STAGES = new Set([
  '$out',
  '$merge',
  '$currentOp',
  '$listSessions',
  '$collStats',
  '$indexStats',
  '$planCacheStats',
  '$changeStream',
  '$search',
  '$searchMeta',
  '$geoNear',
]);

// Stages that compare no strings, or ($sort) that mingo sorts by the collation: the ones a
// pipeline with a collation may have after its leading $match.
const COLLATION_NEUTRAL_STAGES = new Set([
  '$sort',
  '$project',
  '$unset',
  '$skip',
  '$limit',
  '$count',
]);

// Accumulators that compare no strings.
const COUNTING_ACCUMULATORS = new Set(['$sum', '$count', '$avg', '$first', '$last', '$push']);

/**
 * A `$group` into one constant key with counting accumulators (what `countDocuments` sends):
 * nothing in it compares strings, so a collation changes nothing.
 */
function isConstantCount(stage: Document): boolean {
  const group: unknown = stage.$group;
  if (!isPlainObject(group)) return false;
  const { _id: key, ...accumulators } = group;
  if (typeof key === 'string' || isPlainObject(key) || Array.isArray(key)) return false;
  return Object.values(accumulators).every(
    (accumulator) =>
      isPlainObject(accumulator) &&
      Object.keys(accumulator).every((operator) => COUNTING_ACCUMULATORS.has(operator)),
  );
}

export const AGGREGATE_FIELDS = [
  'pipeline',
  'cursor',
  'allowDiskUse',
  'hint',
  'collation',
  'bypassDocumentValidation',
];

/**
 * Runs an `aggregate` command's pipeline and returns its results, shared by `aggregate` and
 * `explain`. A leading `$match` is applied where an index can narrow it; `stats` hears how.
 */
export function runAggregate(
  context: CommandContext,
  command: Document,
  stats?: QueryStats,
): { results: Document[]; leadingMatch?: Document; laterStages: Document[] } {
  const name = command.aggregate;
  if (typeof name !== 'string') {
    throw new MongoCommandError(
      'NotImplemented',
      'database-level aggregation (aggregate: 1) is not supported by the embedded server',
    );
  }
  if (!isPlainObject(command.cursor)) {
    throw failedToParse("The 'cursor' option is required");
  }
  const collation = parseCollation(command.collation);
  const pipeline = command.pipeline;
  if (!Array.isArray(pipeline)) {
    throw new MongoCommandError('TypeMismatch', "'pipeline' option must be specified as an array");
  }
  for (const stage of pipeline) {
    const stageName = isPlainObject(stage) ? Object.keys(stage) : [];
    if (stageName.length !== 1) {
      throw new MongoCommandError(
        'Location40324',
        'A pipeline stage specification object must contain exactly one field.',
      );
    }
    if (UNSUPPORTED_STAGES.has(stageName[0])) {
      throw new MongoCommandError(
        'NotImplemented',
        `${stageName[0]} is not supported by the embedded server`,
      );
    }
  }
  const collection = existingCollection(context, name);
  assertValidHint(collection, command.hint);
  // A leading $match is applied here, where an index can narrow it, and not again.
  const leadingMatch =
    isPlainObject(pipeline[0]) && isPlainObject(pipeline[0].$match)
      ? pipeline[0].$match
      : undefined;
  const input = matchingDocuments(context, collection, leadingMatch ?? {}, { stats, collation });
  const laterStages = leadingMatch ? pipeline.slice(1) : pipeline;
  if (collation) {
    for (const stage of laterStages) {
      const stageName = Object.keys(stage)[0];
      if (!COLLATION_NEUTRAL_STAGES.has(stageName) && !isConstantCount(stage)) {
        throw new MongoCommandError(
          'NotImplemented',
          `${stageName} with a collation is not supported by the embedded server (a leading ` +
            `$match, $sort, $project, $unset, $skip, $limit and $count are)`,
        );
      }
    }
  }
  const results = runPipeline(
    input,
    laterStages,
    (other) => matchingDocuments(context, existingCollection(context, other), {}),
    collation,
  );
  return { results, leadingMatch, laterStages };
}

export const aggregateCommands: CommandTable = {
  aggregate: {
    fields: AGGREGATE_FIELDS,
    unsupported: ['explain', 'let'],
    inTransaction: true,
    run: (context) => {
      const { command } = context;
      const { results } = runAggregate(context, command);
      const batchSize = nonNegativeInteger(command.cursor.batchSize, 'cursor.batchSize');
      return {
        cursor: context.cursors.open(namespaceOf(context.database, command.aggregate), results, {
          batchSize,
          owner: cursorCaller(context),
        }),
        ok: 1,
      };
    },
  },
};
