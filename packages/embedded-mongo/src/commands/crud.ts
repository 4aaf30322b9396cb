import { performance } from 'node:perf_hooks';

import { calculateObjectSize, type Document, Long, ObjectId } from 'bson';

import { canonicalKey, compareBson, isPlainObject } from '../bson-order';
import { idKeyOf } from '../collection';
import { type StorageEngine } from '../engine';
import { type Transaction } from '../transaction';
import { badValue, ErrorCode, failedToParse, MongoCommandError } from '../errors';
import {
  applyUpdate,
  parseSort,
  parseUpdate,
  projectDocuments,
  sortDocuments,
  upsertSeed,
  type UpdateSpec,
} from '../query';
import { type Collation, foldStrings, parseCollation } from '../collation';
import { namespaceOf } from '../namespace';
import { valuesAtPath } from '../paths';
import {
  assertValidHint,
  collectionName,
  cursorCaller,
  existingCollection,
  matchingDocuments,
  nonNegativeInteger,
  optionalDocument,
  type QueryStats,
} from './common';
import { AGGREGATE_FIELDS, runAggregate } from './aggregate';
import { type CommandContext, type CommandTable } from './context';
import { assertKnownFields } from './fields';

const WRITE_FIELDS = ['ordered', 'bypassDocumentValidation'] as const;
const LET = ['let'] as const;

/** Puts `_id` first, generating an ObjectId when absent, as mongod does on insert. */
function withIdFirst(document: Document): Document {
  const { _id, ...rest } = document;
  return { _id: _id === undefined ? new ObjectId() : _id, ...rest };
}

function assertInsertable(document: unknown): asserts document is Document {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new MongoCommandError('TypeMismatch', 'documents to insert must be objects');
  }
  if (Array.isArray((document as Document)._id)) {
    throw badValue("can't use an array for _id");
  }
}

/** MongoDB's limit on a stored document, as `hello.maxBsonObjectSize` advertises it. */
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/** Refuses a document over 16 MiB with the error MongoDB gives for the way it was written. */
function assertDocumentSize(document: Document, write: 'insert' | 'update' | 'upsert'): void {
  const size = calculateObjectSize(document);
  if (size <= MAX_DOCUMENT_BYTES) return;
  if (write === 'insert') {
    throw badValue(
      `object to insert too large. size in bytes: ${size}, max size: ${MAX_DOCUMENT_BYTES}`,
    );
  }
  throw write === 'update'
    ? new MongoCommandError(
        'Location17419',
        `Resulting document after update is larger than ${MAX_DOCUMENT_BYTES}`,
      )
    : new MongoCommandError(
        'Location17420',
        `Document to upsert is larger than ${MAX_DOCUMENT_BYTES}`,
      );
}

interface WriteResult {
  n: number;
  nModified?: number;
  upserted?: Document[];
  writeErrors?: Document[];
}

/** Runs each statement of a write command, honouring `ordered`, and builds the reply. */
async function runStatements<T>(
  context: CommandContext,
  statements: T[],
  ordered: boolean,
  run: (statement: T, index: number, result: WriteResult) => Promise<void>,
): Promise<Document> {
  const result: WriteResult = {
    n: 0,
    nModified: context.command.update !== undefined ? 0 : undefined,
  };
  const writeErrors: Document[] = [];
  for (let index = 0; index < statements.length; index++) {
    try {
      await run(statements[index], index, result);
    } catch (error) {
      if (!(error instanceof MongoCommandError)) throw error;
      // A write conflict fails a transaction's whole command, labelled for the driver to retry;
      // a command past its maxTimeMS fails whole too.
      if (context.transaction && error.code === ErrorCode.WriteConflict) throw error;
      if (error.code === ErrorCode.MaxTimeMSExpired) throw error;
      writeErrors.push(error.toWriteError(index));
      // Inside a transaction the first error aborted it: nothing after it can run.
      if (ordered || context.transaction) break;
    }
  }
  const reply: Document = { n: result.n };
  if (result.nModified !== undefined) reply.nModified = result.nModified;
  if (result.upserted && result.upserted.length > 0) reply.upserted = result.upserted;
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  return { ...reply, ok: 1 };
}

/**
 * The command's statements (`documents`, `updates`, `deletes`). Their shape is checked for the
 * whole batch first: like MongoDB, a malformed statement fails the command, not one write.
 */
function statementArray(
  context: CommandContext,
  field: string,
  allowedFields?: readonly string[],
): Document[] {
  const statements = context.command[field];
  if (!Array.isArray(statements) || statements.length === 0) {
    throw new MongoCommandError(
      'InvalidLength',
      `Write batch sizes must be between 1 and 100000. Got 0 operations.`,
    );
  }
  if (allowedFields) {
    const command = `${Object.keys(context.command)[0]}.${field}`;
    for (const statement of statements) assertStatementFields(statement, allowedFields, command);
  }
  return statements;
}

function assertStatementFields(
  statement: Document,
  allowed: readonly string[],
  command: string,
): void {
  for (const field of Object.keys(statement)) {
    if (field === 'c') {
      throw new MongoCommandError(
        'NotImplemented',
        `${command}.c (pipeline constants) is not supported by the embedded server`,
      );
    }
    if (!allowed.includes(field)) {
      throw new MongoCommandError(
        'Location40415',
        `BSON field '${command}.${field}' is an unknown field.`,
      );
    }
  }
}

interface UpdateOutcome {
  matched: number;
  modified: number;
  upsertedId?: unknown;
  before?: Document;
  after?: Document;
}

/** One update statement (shared by `update` and `findAndModify`). */
function updateDocuments(
  context: CommandContext,
  engine: StorageEngine,
  txn: Transaction,
  name: string,
  options: {
    filter: Document;
    update: UpdateSpec;
    multi: boolean;
    upsert: boolean;
    arrayFilters?: Document[];
    sort?: [string, 1 | -1][];
    collation?: Collation;
  },
): UpdateOutcome {
  const collection = existingCollection(context, name);
  let targets = matchingDocuments(context, collection, options.filter, {
    transaction: txn,
    // Without a sort, a single-document update takes the first match in natural order.
    limit: options.multi || options.sort ? undefined : 1,
    collation: options.collation,
  });
  if (options.sort) targets = sortDocuments(targets, options.sort, options.collation);
  if (!options.multi) targets = targets.slice(0, 1);
  const outcome: UpdateOutcome = { matched: targets.length, modified: 0 };
  for (const before of targets) {
    const after = applyUpdate(before, options.update, {
      filter: options.filter,
      arrayFilters: options.arrayFilters,
    });
    outcome.before ??= before;
    outcome.after ??= after;
    if (canonicalKey(after) !== canonicalKey(before)) {
      assertDocumentSize(after, 'update');
      engine.stage(txn, collection!, idKeyOf(before), after);
      outcome.modified++;
    }
  }
  if (targets.length === 0 && options.upsert) {
    const seed = upsertSeed(options.filter);
    const inserted = withIdFirst(
      options.update.kind === 'replacement'
        ? { _id: seed._id, ...options.update.replacement }
        : applyUpdate(seed, options.update, {
            filter: options.filter,
            arrayFilters: options.arrayFilters,
            inserting: true,
          }),
    );
    assertDocumentSize(inserted, 'upsert');
    engine.stageInsert(txn, engine.ensureCollection(context.database, name, txn), inserted);
    outcome.upsertedId = inserted._id;
    outcome.after = inserted;
  }
  return outcome;
}

function parseArrayFilters(value: unknown): Document[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw failedToParse('arrayFilters must be an array');
  return value;
}

const UPDATE_STATEMENT_FIELDS = ['q', 'u', 'multi', 'upsert', 'arrayFilters', 'hint', 'collation'];
const DELETE_STATEMENT_FIELDS = ['q', 'limit', 'hint', 'collation'];

const FIND_FIELDS = [
  'filter',
  'projection',
  'sort',
  'skip',
  'limit',
  'batchSize',
  'singleBatch',
  'hint',
  'noCursorTimeout',
  'allowDiskUse',
  'allowPartialResults',
  'collation',
];
const EXPLAIN_VERBOSITIES = ['queryPlanner', 'executionStats', 'allPlansExecution'];

function winningPlan(stats: QueryStats): Document {
  return stats.index
    ? {
        stage: 'FETCH',
        inputStage: {
          stage: 'IXSCAN',
          indexName: stats.index.name,
          keyPattern: stats.index.spec.key,
          direction: 'forward',
        },
      }
    : { stage: 'COLLSCAN', direction: 'forward' };
}

/** The documents a find command returns, shared by `find` and `explain`. */
function runFind(
  context: CommandContext,
  command: Document,
  stats?: QueryStats,
): { documents: Document[]; limit?: number; singleBatch: boolean } {
  if (typeof command.find !== 'string' || command.find === '') {
    throw new MongoCommandError('InvalidNamespace', 'collection name must be a string');
  }
  const collection = existingCollection(context, command.find);
  const collation = parseCollation(command.collation);
  assertValidHint(collection, command.hint);
  const sort = parseSort(command.sort);
  const skip = nonNegativeInteger(command.skip, 'skip') ?? 0;
  let limit = command.limit as number | undefined;
  let singleBatch = command.singleBatch === true;
  if (typeof limit === 'number' && limit < 0) {
    limit = -limit;
    singleBatch = true;
  }
  nonNegativeInteger(limit, 'limit');
  // Without a sort, matching can stop once skip + limit documents are found.
  let documents = matchingDocuments(
    context,
    collection,
    optionalDocument(command.filter, 'filter'),
    {
      limit: !sort && limit ? skip + limit : undefined,
      stats,
      collation,
    },
  );
  if (sort) documents = sortDocuments(documents, sort, collation);
  documents = documents.slice(skip, limit ? skip + limit : undefined);
  documents = projectDocuments(documents, command.projection, command.filter);
  return { documents, limit, singleBatch };
}

export const crudCommands: CommandTable = {
  insert: {
    fields: ['documents', ...WRITE_FIELDS],
    unsupported: LET,
    inTransaction: true,
    retryableWrite: true,
    run: (context) => {
      const name = collectionName(context, 'insert');
      const documents = statementArray(context, 'documents');
      return runStatements(
        context,
        documents,
        context.command.ordered !== false,
        async (raw, _i, result) => {
          assertInsertable(raw);
          const document = withIdFirst(raw);
          assertDocumentSize(document, 'insert');
          await context.write((txn) =>
            context.engine.stageInsert(
              txn,
              context.engine.ensureCollection(context.database, name, txn),
              document,
            ),
          );
          result.n++;
        },
      );
    },
  },

  update: {
    fields: ['updates', ...WRITE_FIELDS],
    unsupported: LET,
    inTransaction: true,
    retryableWrite: true,
    run: (context) => {
      const name = collectionName(context, 'update');
      const statements = statementArray(context, 'updates', UPDATE_STATEMENT_FIELDS);
      return runStatements(
        context,
        statements,
        context.command.ordered !== false,
        async (statement, index, result) => {
          const collation = parseCollation(statement.collation);
          assertValidHint(existingCollection(context, name), statement.hint);
          const update = parseUpdate(statement.u);
          const multi = statement.multi === true;
          if (multi && update.kind === 'replacement') {
            throw failedToParse('multi update is not supported for replacement-style update');
          }
          const outcome = await context.write((txn) =>
            updateDocuments(context, context.engine, txn, name, {
              filter: optionalDocument(statement.q, 'q') ?? {},
              update,
              multi,
              upsert: statement.upsert === true,
              arrayFilters: parseArrayFilters(statement.arrayFilters),
              collation,
            }),
          );
          result.nModified = (result.nModified ?? 0) + outcome.modified;
          if (outcome.upsertedId !== undefined) {
            result.n += 1;
            (result.upserted ??= []).push({ index, _id: outcome.upsertedId });
          } else {
            result.n += outcome.matched;
          }
        },
      );
    },
  },

  delete: {
    fields: ['deletes', ...WRITE_FIELDS],
    unsupported: LET,
    inTransaction: true,
    retryableWrite: true,
    run: (context) => {
      const name = collectionName(context, 'delete');
      const statements = statementArray(context, 'deletes', DELETE_STATEMENT_FIELDS);
      return runStatements(
        context,
        statements,
        context.command.ordered !== false,
        async (statement, _i, result) => {
          const collation = parseCollation(statement.collation);
          const limit = statement.limit ?? 0;
          if (limit !== 0 && limit !== 1)
            throw failedToParse('The limit field in delete objects must be 0 or 1.');
          const collection = existingCollection(context, name);
          assertValidHint(collection, statement.hint);
          result.n += await context.write((txn) => {
            const targets = matchingDocuments(
              context,
              collection,
              optionalDocument(statement.q, 'q') ?? {},
              { transaction: txn, limit: limit === 1 ? 1 : undefined, collation },
            );
            for (const document of targets)
              context.engine.stage(txn, collection!, idKeyOf(document), null);
            return targets.length;
          });
        },
      );
    },
  },

  findAndModify: {
    fields: [
      'query',
      'sort',
      'remove',
      'update',
      'new',
      'fields',
      'upsert',
      'arrayFilters',
      'bypassDocumentValidation',
      'hint',
      'collation',
    ],
    unsupported: LET,
    inTransaction: true,
    retryableWrite: true,
    run: async (context) => {
      const { command } = context;
      const name = collectionName(context, 'findAndModify');
      const filter = optionalDocument(command.query, 'query') ?? {};
      const sort = parseSort(command.sort);
      const collation = parseCollation(command.collation);
      assertValidHint(existingCollection(context, name), command.hint);
      const project = (document: Document | undefined) =>
        document ? projectDocuments([document], command.fields, filter)[0] : null;

      if (command.remove === true) {
        if (command.update !== undefined || command.upsert === true || command.new === true) {
          throw failedToParse('Cannot specify both an update and remove=true');
        }
        const removed = await context.write((txn) => {
          const collection = existingCollection(context, name);
          let targets = matchingDocuments(context, collection, filter, {
            transaction: txn,
            collation,
          });
          if (sort) targets = sortDocuments(targets, sort, collation);
          const target = targets[0];
          if (target) context.engine.stage(txn, collection!, idKeyOf(target), null);
          return target;
        });
        return { lastErrorObject: { n: removed ? 1 : 0 }, value: project(removed), ok: 1 };
      }
      if (command.update === undefined)
        throw failedToParse('Either an update or remove=true must be specified');
      const update = parseUpdate(command.update);
      const outcome = await context.write((txn) =>
        updateDocuments(context, context.engine, txn, name, {
          filter,
          update,
          multi: false,
          upsert: command.upsert === true,
          arrayFilters: parseArrayFilters(command.arrayFilters),
          sort,
          collation,
        }),
      );
      const lastErrorObject: Document = {
        n: outcome.upsertedId !== undefined ? 1 : outcome.matched,
        updatedExisting: outcome.upsertedId === undefined && outcome.matched > 0,
      };
      if (outcome.upsertedId !== undefined) lastErrorObject.upserted = outcome.upsertedId;
      const value = command.new === true ? outcome.after : outcome.before;
      return { lastErrorObject, value: project(value), ok: 1 };
    },
  },

  find: {
    fields: FIND_FIELDS,
    inTransaction: true,
    run: (context) => {
      const { command } = context;
      const { documents, limit, singleBatch } = runFind(context, command);
      const batchSize = nonNegativeInteger(command.batchSize, 'batchSize');
      const cursor = context.cursors.open(namespaceOf(context.database, command.find), documents, {
        batchSize: limit && batchSize ? Math.min(limit, batchSize) : batchSize,
        singleBatch,
        owner: cursorCaller(context),
        keepIdle: command.noCursorTimeout === true,
      });
      return { cursor, ok: 1 };
    },
  },

  explain: {
    fields: ['verbosity'],
    run: (context) => {
      const { command } = context;
      const explained = command.explain;
      const kind = isPlainObject(explained) ? Object.keys(explained)[0] : undefined;
      if (kind !== 'find' && kind !== 'aggregate') {
        throw new MongoCommandError(
          'NotImplemented',
          'the embedded server explains find and aggregate commands only',
        );
      }
      const verbosity = command.verbosity ?? 'allPlansExecution';
      if (!EXPLAIN_VERBOSITIES.includes(verbosity)) {
        throw badValue(`verbosity string must be one of {${EXPLAIN_VERBOSITIES.join(', ')}}`);
      }
      const allowed = kind === 'find' ? FIND_FIELDS : AGGREGATE_FIELDS;
      assertKnownFields(kind, explained, { fields: allowed });
      const stats: QueryStats = { documentsExamined: 0 };
      const started = performance.now();
      const plan = (filter: unknown, nReturned: number): Document => {
        const reply: Document = {
          queryPlanner: {
            namespace: namespaceOf(context.database, String(explained[kind])),
            parsedQuery: filter ?? {},
            winningPlan: winningPlan(stats),
            rejectedPlans: [],
          },
        };
        if (verbosity !== 'queryPlanner') {
          reply.executionStats = {
            executionSuccess: true,
            nReturned,
            executionTimeMillis: Math.round(performance.now() - started),
            // The hash indexes hold one key per document they return as a candidate.
            totalKeysExamined: stats.index ? stats.documentsExamined : 0,
            totalDocsExamined: stats.documentsExamined,
          };
        }
        return reply;
      };
      if (kind === 'find') {
        const { documents } = runFind(context, explained, stats);
        const reply = { explainVersion: '1', ...plan(explained.filter, documents.length) };
        return { ...reply, command: explained, ok: 1 };
      }
      // As MongoDB shows a pipeline: the query its leading $match became (a $cursor stage),
      // then the stages that ran on what it returned.
      const { results, leadingMatch, laterStages } = runAggregate(context, explained, stats);
      if (laterStages.length === 0) {
        return {
          explainVersion: '1',
          ...plan(leadingMatch, results.length),
          command: explained,
          ok: 1,
        };
      }
      return {
        explainVersion: '1',
        stages: [{ $cursor: plan(leadingMatch, stats.documentsReturned ?? 0) }, ...laterStages],
        command: explained,
        ok: 1,
      };
    },
  },

  getMore: {
    fields: ['collection', 'batchSize', 'term', 'lastKnownCommittedOpTime'],
    inTransaction: true,
    run: (context) => {
      const id = Number(context.command.getMore);
      const name = context.command.collection;
      if (typeof name !== 'string') throw badValue('getMore needs a collection name');
      const batchSize = nonNegativeInteger(context.command.batchSize, 'batchSize');
      const cursor = context.cursors.getMore(
        id,
        namespaceOf(context.database, name),
        batchSize,
        cursorCaller(context),
      );
      return { cursor, ok: 1 };
    },
  },

  killCursors: {
    fields: ['cursors'],
    inTransaction: true,
    run: (context) => {
      const ids = context.command.cursors;
      if (!Array.isArray(ids)) throw badValue('killCursors needs an array of cursor ids');
      const { killed, notFound } = context.cursors.kill(ids.map(Number), cursorCaller(context));
      return {
        cursorsKilled: killed.map((id) => Long.fromNumber(id)),
        cursorsNotFound: notFound.map((id) => Long.fromNumber(id)),
        cursorsAlive: [],
        cursorsUnknown: [],
        ok: 1,
      };
    },
  },

  count: {
    fields: ['query', 'limit', 'skip', 'hint', 'collation'],
    run: (context) => {
      const { command } = context;
      const collection = existingCollection(context, collectionName(context, 'count'));
      const collation = parseCollation(command.collation);
      assertValidHint(collection, command.hint);
      const skip = nonNegativeInteger(command.skip, 'skip') ?? 0;
      const limit = Math.abs(Number(command.limit ?? 0));
      const query = optionalDocument(command.query, 'query');
      const total =
        query && Object.keys(query).length > 0
          ? matchingDocuments(context, collection, query, { collation }).length
          : (collection?.count ?? 0);
      const n = Math.max(0, total - skip);
      return { n: limit ? Math.min(n, limit) : n, ok: 1 };
    },
  },

  distinct: {
    fields: ['key', 'query', 'hint', 'collation'],
    inTransaction: true,
    run: (context) => {
      const { command } = context;
      if (typeof command.key !== 'string') throw failedToParse("'key' must be a string");
      const collection = existingCollection(context, collectionName(context, 'distinct'));
      const collation = parseCollation(command.collation);
      assertValidHint(collection, command.hint);
      // Under a collation, values it holds equal are one value (the first met).
      const values = new Map<string, unknown>();
      for (const document of matchingDocuments(
        context,
        collection,
        optionalDocument(command.query, 'query'),
        { collation },
      )) {
        for (const value of valuesAtPath(document, command.key)) {
          const key = canonicalKey(collation ? foldStrings(value, collation) : value);
          if (value !== undefined && !values.has(key)) values.set(key, value);
        }
      }
      const order = (a: unknown, b: unknown) => compareBson(a, b, collation?.compareStrings);
      return { values: [...values.values()].sort(order), ok: 1 };
    },
  },
};
