import { type CollectionStore } from './collection';
import { type StorageEngine } from './engine';
import { ID_INDEX_SPEC } from './indexes';
import { type JournalOperation } from './journal';
import { splitNamespace } from './namespace';

/** Rebuilds `engine`'s state from journaled operations, before a journal is attached to it. */
export function replayJournal(engine: StorageEngine, operations: Iterable<JournalOperation>): void {
  for (const operation of operations) {
    switch (operation.op) {
      case 'createCollection': {
        const [database, name] = splitNamespace(operation.ns);
        if (!engine.collection(database, name)) engine.createCollection(database, name);
        break;
      }
      case 'dropCollection':
        engine.dropCollection(...splitNamespace(operation.ns));
        break;
      case 'renameCollection':
        engine.renameCollection(operation.ns, operation.to, true);
        break;
      case 'dropDatabase':
        engine.dropDatabase(operation.db);
        break;
      case 'createIndex':
        engine.createIndex(
          engine.ensureCollection(...splitNamespace(operation.ns)),
          operation.spec,
        );
        break;
      case 'dropIndex':
        engine.collection(...splitNamespace(operation.ns))?.indexes.delete(operation.name);
        break;
      case 'modifyIndex': {
        const collection = engine.collection(...splitNamespace(operation.ns));
        if (collection) engine.modifyIndex(collection, operation.spec);
        break;
      }
      case 'put':
        // A fresh engine has committed nothing and has no open snapshot: sequence 0, no history.
        engine
          .ensureCollection(...splitNamespace(operation.ns))
          .apply(operation.id, operation.doc, 0, []);
        break;
    }
  }
}

/** The operations that create `collection` and its indexes (the `_id` index comes with it). */
export function* creationOperations(
  collection: CollectionStore,
): IterableIterator<JournalOperation> {
  const ns = collection.namespace;
  yield { op: 'createCollection', ns };
  for (const index of collection.indexes.values()) {
    if (index.name !== ID_INDEX_SPEC.name) yield { op: 'createIndex', ns, spec: index.spec };
  }
}

/** The current state of `collections` as journal operations, for compacting the journal. */
export function* stateOperations(
  collections: Iterable<CollectionStore>,
): IterableIterator<JournalOperation> {
  for (const collection of collections) {
    yield* creationOperations(collection);
    for (const [id, doc] of collection.liveDocuments()) {
      yield { op: 'put', ns: collection.namespace, id, doc };
    }
  }
}
