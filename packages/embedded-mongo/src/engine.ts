import { type Document } from 'bson';

import { Catalog, isNewIndex, validateCollectionName } from './catalog';
import { CollectionStore, idKeyOf } from './collection';
import { MongoCommandError, writeConflict } from './errors';
import { ID_INDEX_SPEC, Index, type IndexSpec } from './indexes';
import { type Journal, type JournalOperation } from './journal';
import { documentLock, LockTable, LockWait, namespaceLock } from './locks';
import { namespaceOf, splitNamespace } from './namespace';
import { creationOperations } from './replay';
import { OpenSnapshots } from './snapshots';
import { Transaction } from './transaction';
import { checkIndexKeys, duplicateKeyError, type KeyLocking } from './unique-keys';

/**
 * The single writer: catalog changes, and transactions from begin to commit. Node runs one
 * command at a time, so each method is atomic; transactions are the only work that spans
 * commands, and they are isolated by snapshots (reads) and first-writer-wins locks (writes).
 */
export class StorageEngine {
  private readonly catalog = new Catalog();
  private readonly locks = new LockTable();
  private readonly openSnapshots = new OpenSnapshots();
  private seq = 0;
  private committedTransactions = 0;
  private abortedTransactions = 0;
  private readonly keyLocking: KeyLocking = {
    lock: (txn, name) => this.lock(txn, name),
    conflict: (txn) => this.conflict(txn),
  };

  /**
   * Every change is journaled before it is applied: when the journal refuses a change (a full
   * disk), memory still matches the log.
   */
  private journal?: Journal;

  /** Journals every change from now on (after replaying what the journal held). */
  attachJournal(journal: Journal): void {
    this.journal = journal;
  }

  // ---- catalog ----

  databaseNames(): string[] {
    return this.catalog.databaseNames();
  }

  collections(database: string): CollectionStore[] {
    return this.catalog.collections(database);
  }

  /** Every committed collection, for compacting the journal. */
  allCollections(): IterableIterator<CollectionStore> {
    return this.catalog.all();
  }

  /** A collection as `txn` sees it: committed, or created by `txn` itself. */
  collection(database: string, name: string, txn?: Transaction): CollectionStore | undefined {
    return (
      this.catalog.get(database, name) ?? txn?.createdCollections.get(namespaceOf(database, name))
    );
  }

  /** Creates the collection if it does not exist (as inserts and upserts do implicitly). */
  ensureCollection(database: string, name: string, txn?: Transaction): CollectionStore {
    return this.collection(database, name, txn) ?? this.createCollection(database, name, txn);
  }

  /**
   * Creates a collection. Inside a transaction it stays the transaction's own until commit (an
   * abort leaves no trace), and its name is reserved: others creating it wait or conflict.
   */
  createCollection(database: string, name: string, txn?: Transaction): CollectionStore {
    validateCollectionName(database, name);
    if (this.collection(database, name, txn)) {
      throw new MongoCommandError(
        'NamespaceExists',
        `Collection ${namespaceOf(database, name)} already exists.`,
      );
    }
    const reserved = namespaceLock(namespaceOf(database, name));
    if (txn) this.lock(txn, reserved);
    else {
      const owner = this.locks.heldByOther(undefined, reserved);
      if (owner) throw new LockWait(owner);
    }
    if (txn && !txn.autocommit) {
      const created = new CollectionStore(database, name);
      txn.createdCollections.set(created.namespace, created);
      return created;
    }
    const collection = new CollectionStore(database, name);
    this.journal?.append([{ op: 'createCollection', ns: collection.namespace }]);
    this.catalog.add(collection);
    return collection;
  }

  dropCollection(database: string, name: string): boolean {
    const collection = this.catalog.get(database, name);
    if (!collection) return false;
    this.assertNotLockedByTransactions(collection);
    this.journal?.append([{ op: 'dropCollection', ns: collection.namespace }]);
    this.catalog.remove(collection);
    return true;
  }

  /** Renames within one database, keeping documents and indexes; `dropTarget` replaces one. */
  renameCollection(from: string, to: string, dropTarget: boolean): void {
    const [database, name] = splitNamespace(from);
    const [targetDatabase, targetName] = splitNamespace(to);
    const source = this.collection(database, name);
    if (!source) {
      throw new MongoCommandError('NamespaceNotFound', `Source collection ${from} does not exist`);
    }
    if (targetDatabase !== database) {
      throw new MongoCommandError(
        'NotImplemented',
        'renameCollection across databases is not supported by the embedded server',
      );
    }
    validateCollectionName(targetDatabase, targetName);
    this.assertNotLockedByTransactions(source);
    const target = this.collection(targetDatabase, targetName);
    if (target) {
      if (!dropTarget) throw new MongoCommandError('NamespaceExists', 'target namespace exists');
      this.assertNotLockedByTransactions(target);
    }
    // One record, replayed with dropTarget, so that a failed write leaves both collections be.
    this.journal?.append([{ op: 'renameCollection', ns: from, to }]);
    this.catalog.rename(source, targetName);
  }

  dropDatabase(database: string): void {
    for (const collection of this.collections(database))
      this.assertNotLockedByTransactions(collection);
    this.journal?.append([{ op: 'dropDatabase', db: database }]);
    this.catalog.dropDatabase(database);
  }

  /**
   * Adds an index; returns false when an identical one exists already. As in MongoDB, a build
   * waits (LockWait) for open transactions writing to the collection, so that none can commit a
   * document the new index would refuse; inside a transaction only a collection the transaction
   * created may get new indexes.
   */
  createIndex(collection: CollectionStore, spec: IndexSpec, txn?: Transaction): boolean {
    if (!isNewIndex(collection, spec)) return false;
    if (txn && !txn.autocommit) {
      if (txn.createdCollections.get(collection.namespace) !== collection) {
        throw new MongoCommandError(
          'OperationNotSupportedInTransaction',
          `Cannot create new indexes on existing collection ${collection.namespace} in a ` +
            `multi-document transaction.`,
        );
      }
      if (txn.writes.get(collection)?.size) {
        throw new MongoCommandError(
          'OperationNotSupportedInTransaction',
          `Cannot create new indexes on non-empty collection ${collection.namespace} in a ` +
            `multi-document transaction.`,
        );
      }
      collection.indexes.set(spec.name, collection.buildIndex(spec));
      return true;
    }
    const writer = this.openSnapshots.writerTo(collection);
    if (writer) throw new LockWait(writer);
    if (spec.unique) {
      const duplicate = Index.findDuplicate(spec, collection.liveDocuments());
      if (duplicate) throw duplicateKeyError(collection, spec, duplicate);
    }
    const index = collection.buildIndex(spec);
    this.journal?.append([{ op: 'createIndex', ns: collection.namespace, spec }]);
    collection.indexes.set(spec.name, index);
    return true;
  }

  /** Replaces the options of an index that keeps its keys (collMod: hidden, TTL). */
  modifyIndex(collection: CollectionStore, spec: IndexSpec): void {
    const index = collection.indexes.get(spec.name);
    if (!index) return;
    this.journal?.append([{ op: 'modifyIndex', ns: collection.namespace, spec }]);
    index.spec = spec;
  }

  dropIndex(collection: CollectionStore, name: string): void {
    this.journal?.append([{ op: 'dropIndex', ns: collection.namespace, name }]);
    collection.indexes.delete(name);
  }

  // ---- transactions ----

  begin(autocommit: boolean): Transaction {
    const txn = new Transaction(this.seq, autocommit);
    if (!autocommit) this.openSnapshots.add(txn);
    return txn;
  }

  /** Stages an insert, update (`before` → `after`) or delete (`after` null). */
  stage(txn: Transaction, collection: CollectionStore, id: string, after: Document | null): void {
    this.lock(txn, documentLock(collection.namespace, id));
    if (!txn.autocommit && collection.lastChange(id) > txn.snapshotSeq) {
      throw this.conflict(txn);
    }
    if (after === null && !txn.isStaged(collection, id) && !collection.latest(id)) return;
    checkIndexKeys(this.keyLocking, txn, collection, id, after);
    let writes = txn.writes.get(collection);
    if (!writes) txn.writes.set(collection, (writes = new Map()));
    writes.set(id, after);
  }

  /** Stages a new document, refusing an `_id` that already exists. */
  stageInsert(txn: Transaction, collection: CollectionStore, document: Document): void {
    const id = idKeyOf(document);
    const snapshot = txn.autocommit ? undefined : txn.snapshotSeq;
    const existing = txn.isStaged(collection, id)
      ? txn.staged(collection, id)
      : collection.versionAt(id, snapshot);
    if (existing) {
      throw duplicateKeyError(collection, ID_INDEX_SPEC, { key: id, values: [document._id] });
    }
    this.stage(txn, collection, id, document);
  }

  /** Journals the writes (on disk before anything is acknowledged), then makes them visible. */
  commit(txn: Transaction): void {
    if (txn.state !== 'active') return;
    if (txn.writes.size > 0 || txn.createdCollections.size > 0) {
      const operations: JournalOperation[] = [];
      for (const collection of txn.createdCollections.values()) {
        for (const operation of creationOperations(collection)) operations.push(operation);
      }
      for (const [collection, writes] of txn.writes) {
        for (const [id, doc] of writes)
          operations.push({ op: 'put', ns: collection.namespace, id, doc });
      }
      try {
        this.journal?.append(operations);
      } catch (error) {
        // Nothing reached the log, so nothing happened: release the locks, as an abort does.
        this.abort(txn);
        throw error;
      }
      for (const collection of txn.createdCollections.values()) this.catalog.add(collection);
      const seq = ++this.seq;
      const snapshots = this.openSnapshots.points(txn);
      for (const [collection, writes] of txn.writes) {
        for (const [id, doc] of writes) collection.apply(id, doc, seq, snapshots);
      }
    }
    this.finish(txn, 'committed');
  }

  abort(txn: Transaction): void {
    if (txn.state !== 'active') return;
    this.finish(txn, 'aborted');
  }

  /** Multi-document transactions open now, committed and aborted since start-up. */
  get transactionStats(): { currentOpen: number; totalCommitted: number; totalAborted: number } {
    return {
      currentOpen: this.openSnapshots.size,
      totalCommitted: this.committedTransactions,
      totalAborted: this.abortedTransactions,
    };
  }

  private finish(txn: Transaction, state: 'committed' | 'aborted'): void {
    if (!txn.autocommit) {
      if (state === 'committed') this.committedTransactions++;
      else this.abortedTransactions++;
    }
    this.locks.releaseAll(txn);
    if (this.openSnapshots.delete(txn)) {
      const snapshots = this.openSnapshots.points();
      for (const collection of this.catalog.all()) collection.prune(snapshots);
    }
    txn.end(state);
  }

  /** Takes `name` for `txn`: an ordinary write waits for its holder, a transaction conflicts. */
  private lock(txn: Transaction, name: string): void {
    const owner = this.locks.heldByOther(txn, name);
    if (owner) {
      if (txn.autocommit) throw new LockWait(owner);
      throw this.conflict(txn);
    }
    this.locks.take(txn, name);
  }

  /** A write conflict aborts the transaction, as in MongoDB; the driver may retry it whole. */
  private conflict(txn: Transaction): MongoCommandError {
    this.abort(txn);
    return writeConflict();
  }

  private assertNotLockedByTransactions(collection: CollectionStore): void {
    if (this.openSnapshots.writerTo(collection)) {
      throw new MongoCommandError(
        'WriteConflict',
        `Cannot drop ${collection.namespace} while a transaction is writing to it`,
      );
    }
  }
}
