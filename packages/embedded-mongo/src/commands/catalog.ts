import { type Document } from 'bson';

import { type CollectionStore } from '../collection';
import { canonicalKey, isPlainObject } from '../bson-order';
import { badValue, MongoCommandError } from '../errors';
import { ID_INDEX_SPEC, type IndexSpec, parseIndexSpec } from '../indexes';
import { namespaceOf } from '../namespace';
import { compileFilter } from '../query';
import { collectionName, cursorCaller, existingCollection } from './common';
import { type CommandContext, type CommandTable } from './context';

// Options of MongoDB's create command; each is refused (not ignored) on a new collection.
const CREATE_OPTIONS = [
  'capped',
  'size',
  'max',
  'validator',
  'validationLevel',
  'validationAction',
  'collation',
  'timeseries',
  'clusteredIndex',
  'expireAfterSeconds',
  'changeStreamPreAndPostImages',
  'viewOn',
  'pipeline',
  'storageEngine',
  'indexOptionDefaults',
  'idIndex',
  'encryptedFields',
];

function collectionInfo(collection: CollectionStore): Document {
  return {
    name: collection.name,
    type: 'collection',
    options: {},
    info: { readOnly: false, uuid: collection.uuid },
    idIndex: ID_INDEX_SPEC,
  };
}

function requireCollection(context: CommandContext, name: string): CollectionStore {
  const collection = existingCollection(context, name);
  if (!collection) {
    throw new MongoCommandError(
      'NamespaceNotFound',
      `ns does not exist: ${namespaceOf(context.database, name)}`,
    );
  }
  return collection;
}

function cursorOver(context: CommandContext, suffix: string, documents: Document[]): Document {
  const batchSize = context.command.cursor?.batchSize;
  return {
    cursor: context.cursors.open(namespaceOf(context.database, suffix), documents, {
      batchSize: typeof batchSize === 'number' ? batchSize : Number.MAX_SAFE_INTEGER,
      owner: cursorCaller(context),
    }),
    ok: 1,
  };
}

// collMod options MongoDB has that this server does not: refused, never ignored.
const COLLMOD_UNSUPPORTED = [
  'validator',
  'validationLevel',
  'validationAction',
  'viewOn',
  'pipeline',
  'expireAfterSeconds',
  'changeStreamPreAndPostImages',
  'timeseries',
  'cappedSize',
  'cappedMax',
  'recordPreImages',
  'dryRun',
];
const COLLMOD_INDEX_FIELDS = ['keyPattern', 'name', 'hidden', 'expireAfterSeconds'];
const COLLMOD_INDEX_UNSUPPORTED = ['unique', 'prepareUnique', 'forceNonUnique'];

/** `collMod`'s `index` option: hides or unhides an index, or changes a TTL index's expiry. */
function modifyIndex(context: CommandContext, collection: CollectionStore): Document {
  const requested: unknown = context.command.index;
  if (!isPlainObject(requested)) {
    throw new MongoCommandError('TypeMismatch', "BSON field 'collMod.index' is the wrong type");
  }
  for (const field of Object.keys(requested)) {
    if (COLLMOD_INDEX_UNSUPPORTED.includes(field)) {
      throw new MongoCommandError(
        'NotImplemented',
        `collMod.index.${field} is not supported by the embedded server`,
      );
    }
    if (!COLLMOD_INDEX_FIELDS.includes(field)) {
      throw new MongoCommandError(
        'Location40415',
        `BSON field 'collMod.index.${field}' is an unknown field.`,
      );
    }
  }
  const { keyPattern, name, hidden, expireAfterSeconds } = requested;
  if ((keyPattern === undefined) === (name === undefined)) {
    throw badValue('Must specify exactly one of keyPattern or name for the index to modify');
  }
  if (hidden === undefined && expireAfterSeconds === undefined) {
    throw badValue('no collMod option specified on the index');
  }
  const index = [...collection.indexes.values()].find((candidate) =>
    name !== undefined
      ? candidate.name === name
      : isPlainObject(keyPattern) && canonicalKey(candidate.spec.key) === canonicalKey(keyPattern),
  );
  if (!index) {
    const described = name !== undefined ? String(name) : JSON.stringify(keyPattern);
    throw new MongoCommandError(
      'IndexNotFound',
      `cannot find index ${described} for ns ${collection.namespace}`,
    );
  }
  const spec: IndexSpec = { ...index.spec };
  const reply: Document = {};
  if (hidden !== undefined) {
    if (typeof hidden !== 'boolean') {
      throw new MongoCommandError('TypeMismatch', "BSON field 'hidden' must be a boolean");
    }
    if (index.name === ID_INDEX_SPEC.name) throw badValue("can't hide _id index");
    const was = index.spec.hidden === true;
    if (was !== hidden) {
      Object.assign(reply, { hidden_old: was, hidden_new: hidden });
      if (hidden) spec.hidden = true;
      else delete spec.hidden;
    }
  }
  if (expireAfterSeconds !== undefined) {
    if (index.spec.expireAfterSeconds === undefined) {
      throw new MongoCommandError('InvalidOptions', 'no expireAfterSeconds field to update');
    }
    if (
      typeof expireAfterSeconds !== 'number' ||
      !Number.isInteger(expireAfterSeconds) ||
      expireAfterSeconds < 0
    ) {
      throw badValue("TTL index 'expireAfterSeconds' option must be a non-negative integer");
    }
    if (index.spec.expireAfterSeconds !== expireAfterSeconds) {
      Object.assign(reply, {
        expireAfterSeconds_old: index.spec.expireAfterSeconds,
        expireAfterSeconds_new: expireAfterSeconds,
      });
      spec.expireAfterSeconds = expireAfterSeconds;
    }
  }
  if (Object.keys(reply).length > 0) context.engine.modifyIndex(collection, spec);
  return reply;
}

export const catalogCommands: CommandTable = {
  collMod: {
    fields: ['index'],
    unsupported: COLLMOD_UNSUPPORTED,
    run: (context) => {
      const collection = requireCollection(context, collectionName(context, 'collMod'));
      const reply = context.command.index === undefined ? {} : modifyIndex(context, collection);
      return { ...reply, ok: 1 };
    },
  },

  create: {
    fields: CREATE_OPTIONS,
    inTransaction: true,
    run: async (context) => {
      const name = collectionName(context, 'create');
      const options = Object.keys(context.command).filter((field) =>
        CREATE_OPTIONS.includes(field),
      );
      // Since MongoDB 7.0, creating an existing collection with the same options succeeds.
      if (existingCollection(context, name)) {
        if (options.length === 0) return { ok: 1 };
        throw new MongoCommandError(
          'NamespaceExists',
          `namespace ${namespaceOf(context.database, name)} already exists, but with different options`,
        );
      }
      if (options.length > 0) {
        throw new MongoCommandError(
          'NotImplemented',
          `collection options (${options.join(', ')}) are not supported by the embedded server`,
        );
      }
      // Waits while a transaction that created this name is open, as MongoDB does.
      await context.write((txn) => context.engine.ensureCollection(context.database, name, txn));
      return { ok: 1 };
    },
  },

  renameCollection: {
    fields: ['to', 'dropTarget', 'stayTemp'],
    run: (context) => {
      const { command } = context;
      if (context.database !== 'admin') {
        throw new MongoCommandError(
          'Unauthorized',
          'renameCollection may only be run against the admin database.',
        );
      }
      if (typeof command.renameCollection !== 'string' || typeof command.to !== 'string') {
        throw new MongoCommandError('TypeMismatch', 'renameCollection and to must be namespaces');
      }
      context.engine.renameCollection(
        command.renameCollection,
        command.to,
        command.dropTarget === true,
      );
      context.cursors.killNamespace(command.renameCollection, 'collection renamed');
      context.cursors.killNamespace(command.to, 'collection dropped');
      return { ok: 1 };
    },
  },

  drop: {
    fields: [],
    run: (context) => {
      const name = collectionName(context, 'drop');
      const collection = existingCollection(context, name);
      // Since MongoDB 7.0 dropping a missing collection succeeds.
      if (!collection) return { ok: 1 };
      const nIndexesWas = collection.indexes.size;
      context.engine.dropCollection(context.database, name);
      context.cursors.killNamespace(collection.namespace, 'collection dropped');
      return { nIndexesWas, ns: collection.namespace, ok: 1 };
    },
  },

  dropDatabase: {
    fields: [],
    run: (context) => {
      context.engine.dropDatabase(context.database);
      context.cursors.killNamespace(context.database, 'database dropped', true);
      return { dropped: context.database, ok: 1 };
    },
  },

  listCollections: {
    fields: ['filter', 'nameOnly', 'authorizedCollections', 'cursor'],
    run: (context) => {
      const matches = compileFilter(context.command.filter);
      const infos = context.engine
        .collections(context.database)
        .map(collectionInfo)
        .filter(matches)
        .map((info) =>
          context.command.nameOnly === true ? { name: info.name, type: info.type } : info,
        );
      return cursorOver(context, '$cmd.listCollections', infos);
    },
  },

  listDatabases: {
    fields: ['filter', 'nameOnly', 'authorizedDatabases'],
    run: (context) => {
      const matches = compileFilter(context.command.filter);
      const databases = context.engine
        .databaseNames()
        .map((name) => ({ name, sizeOnDisk: 0, empty: false }))
        .filter(matches)
        .map((database) =>
          context.command.nameOnly === true ? { name: database.name } : database,
        );
      return { databases, totalSize: 0, totalSizeMb: 0, ok: 1 };
    },
  },

  createIndexes: {
    fields: ['indexes', 'commitQuorum'],
    inTransaction: true,
    run: async (context) => {
      const name = collectionName(context, 'createIndexes');
      const raw = context.command.indexes;
      if (!Array.isArray(raw) || raw.length === 0) {
        throw new MongoCommandError('BadValue', 'Must specify at least one index to create');
      }
      const specs = raw.map(parseIndexSpec);
      const createdCollectionAutomatically = !existingCollection(context, name);
      const numIndexesBefore = existingCollection(context, name)?.indexes.size ?? 1;
      // Outside a transaction an index build waits for the transactions writing to the
      // collection, then starts over.
      const { created, numIndexesAfter } = await context.write((txn) => {
        const collection = context.engine.ensureCollection(context.database, name, txn);
        let count = 0;
        for (const spec of specs) if (context.engine.createIndex(collection, spec, txn)) count++;
        return { created: count, numIndexesAfter: collection.indexes.size };
      });
      const reply: Document = { numIndexesBefore, numIndexesAfter, createdCollectionAutomatically };
      if (created === 0) reply.note = 'all indexes already exist';
      return { ...reply, ok: 1 };
    },
  },

  listIndexes: {
    fields: ['cursor'],
    inTransaction: true,
    run: (context) => {
      const name = collectionName(context, 'listIndexes');
      const specs = [...requireCollection(context, name).indexes.values()].map((index) => ({
        ...index.spec,
      }));
      return cursorOver(context, `$cmd.listIndexes.${name}`, specs);
    },
  },

  dropIndexes: {
    fields: ['index'],
    run: (context) => {
      const collection = requireCollection(context, collectionName(context, 'dropIndexes'));
      const nIndexesWas = collection.indexes.size;
      const requested = context.command.index;
      const indexes = [...collection.indexes.values()];
      let names: string[];
      if (requested === '*') {
        names = indexes.map((index) => index.name).filter((name) => name !== ID_INDEX_SPEC.name);
      } else if (typeof requested === 'string') {
        names = [requested];
      } else if (Array.isArray(requested)) {
        names = requested.map(String);
      } else {
        const pattern = JSON.stringify(requested);
        const match = indexes.find((index) => JSON.stringify(index.spec.key) === pattern);
        if (!match) {
          throw new MongoCommandError('IndexNotFound', `can't find index with key: ${pattern}`);
        }
        names = [match.name];
      }
      for (const name of names) {
        if (name === ID_INDEX_SPEC.name) {
          throw new MongoCommandError('InvalidOptions', 'cannot drop _id index');
        }
        if (!collection.indexes.has(name)) {
          throw new MongoCommandError('IndexNotFound', `index not found with name [${name}]`);
        }
      }
      for (const name of names) context.engine.dropIndex(collection, name);
      return { nIndexesWas, ok: 1 };
    },
  },
};
