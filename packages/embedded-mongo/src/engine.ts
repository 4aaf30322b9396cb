import { type Document } from 'bson';

import { canonicalKey } from './bson-order';
import { type Collation } from './collation';
import { CollectionStore, idKeyOf } from './collection';
import { MongoCommandError, writeConflict } from './errors';
import { ID_INDEX_SPEC, Index, type IndexKey, type IndexSpec, sameIndex } from './indexes';
import { type Journal, type JournalOperation } from './journal';
import { setOwn } from './field-names';
import { formatKeyValue } from './format';
import { namespaceOf, splitNamespace } from './namespace';

/** Which staged document holds each unique key, and the reverse, for O(1) re-staging. */
class StagedKeys {
  private readonly holders = new Map<string, string>();
  private readonly keysById = new Map<string, string[]>();

  holder(key: string): string | undefined {
    return this.holders.get(key);
  }

  claim(key: string, id: string): void {
    this.holders.set(key, id);
    const keys = this.keysById.get(id);
    if (keys) keys.push(key);
    else this.keysById.set(id, [key]);
  }

  release(id: string): void {
    for (const key of this.keysById.get(id) ?? []) this.holders.delete(key);
    this.keysById.delete(id);
  }
}

/**
 * A unit of writes that becomes visible all at once: a multi-document transaction, or the
 * single statement of an ordinary write (autocommit).
 */
export class Transaction {
  state: 'active' | 'committed' | 'aborted' = 'active';
  readonly writes = new Map<CollectionStore, Map<string, Document | null>>();
  readonly locks = new Set<string>();
  /** Collections this transaction created: in no catalog until it commits (by namespace). */
  readonly createdCollections = new Map<string, CollectionStore>();
  /** Unique-index keys held by this transaction's staged documents, per index. */
  private readonly stagedKeys = new Map<Index, StagedKeys>();
  private finished!: () => void;
  readonly done = new Promise<void>((resolve) => (this.finished = resolve));

  constructor(
    readonly snapshotSeq: number,
    readonly autocommit: boolean,
  ) {}

  staged(collection: CollectionStore, id: string): Document | null | undefined {
    return this.writes.get(collection)?.get(id);
  }

  stagedKeysOf(index: Index): StagedKeys {
    let keys = this.stagedKeys.get(index);
    if (!keys) this.stagedKeys.set(index, (keys = new StagedKeys()));
    return keys;
  }

  isStaged(collection: CollectionStore, id: string): boolean {
    return this.writes.get(collection)?.has(id) ?? false;
  }

  /** Resolves `done` for writers that waited on this transaction's locks. */
  end(state: 'committed' | 'aborted'): void {
    this.state = state;
    this.finished();
  }
}

/** Thrown when an ordinary write meets a document an open transaction has locked: it waits. */
export class LockWait extends Error {
  constructor(readonly owner: Transaction) {
    super('lock held by an open transaction');
  }
}

/**
 * The catalog and the single writer. Node runs one command at a time, so each method is atomic;
 * transactions are the only work that spans commands, and they are isolated by snapshots (reads)
 * and first-writer-wins document locks (writes).
 */
export class StorageEngine {
  private readonly databases = new Map<string, Map<string, CollectionStore>>();
  private readonly lockOwners = new Map<string, Transaction>();
  private readonly openSnapshots = new Set<Transaction>();
  private seq = 0;
  private committedTransactions = 0;
  private abortedTransactions = 0;

  /**
   * Every change is journaled before it is applied: when the journal refuses a change (a full
   * disk), memory still matches the log.
   */
  private journal?: Journal;

  /** Journals every change from now on (after replaying what the journal held). */
  attachJournal(journal: Journal): void {
    this.journal = journal;
  }

  /** Rebuilds state from journaled operations, before a journal is attached. */
  replay(operations: Iterable<JournalOperation>): void {
    for (const operation of operations) {
      switch (operation.op) {
        case 'createCollection': {
          const [database, name] = splitNamespace(operation.ns);
          if (!this.collection(database, name)) this.createCollection(database, name);
          break;
        }
        case 'dropCollection':
          this.dropCollection(...splitNamespace(operation.ns));
          break;
        case 'renameCollection':
          this.renameCollection(operation.ns, operation.to, true);
          break;
        case 'dropDatabase':
          this.dropDatabase(operation.db);
          break;
        case 'createIndex':
          this.createIndex(this.ensureCollection(...splitNamespace(operation.ns)), operation.spec);
          break;
        case 'dropIndex':
          this.collection(...splitNamespace(operation.ns))?.indexes.delete(operation.name);
          break;
        case 'modifyIndex': {
          const collection = this.collection(...splitNamespace(operation.ns));
          if (collection) this.modifyIndex(collection, operation.spec);
          break;
        }
        case 'put':
          this.ensureCollection(...splitNamespace(operation.ns)).apply(
            operation.id,
            operation.doc,
            this.seq,
            [],
          );
          break;
      }
    }
  }

  /** The current state as journal operations, for compacting the journal. */
  *stateOperations(): IterableIterator<JournalOperation> {
    for (const collections of this.databases.values()) {
      for (const collection of collections.values()) {
        const ns = collection.namespace;
        yield { op: 'createCollection', ns };
        for (const index of collection.indexes.values()) {
          if (index.name !== ID_INDEX_SPEC.name) yield { op: 'createIndex', ns, spec: index.spec };
        }
        for (const [id, doc] of collection.liveDocuments()) yield { op: 'put', ns, id, doc };
      }
    }
  }

  // ---- catalog ----

  databaseNames(): string[] {
    return [...this.databases.keys()].filter((name) => this.collections(name).length > 0);
  }

  collections(database: string): CollectionStore[] {
    return [...(this.databases.get(database)?.values() ?? [])];
  }

  /** A collection as `txn` sees it: committed, or created by `txn` itself. */
  collection(database: string, name: string, txn?: Transaction): CollectionStore | undefined {
    return (
      this.databases.get(database)?.get(name) ??
      txn?.createdCollections.get(namespaceOf(database, name))
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
    const namespaceLock = `\u0001${namespaceOf(database, name)}`;
    if (txn) this.lock(txn, namespaceLock);
    else {
      const owner = this.lockOwners.get(namespaceLock);
      if (owner?.state === 'active') throw new LockWait(owner);
    }
    if (txn && !txn.autocommit) {
      const created = new CollectionStore(database, name);
      txn.createdCollections.set(created.namespace, created);
      return created;
    }
    const collection = new CollectionStore(database, name);
    this.journal?.append([{ op: 'createCollection', ns: collection.namespace }]);
    let collections = this.databases.get(database);
    if (!collections) this.databases.set(database, (collections = new Map()));
    collections.set(name, collection);
    return collection;
  }

  dropCollection(database: string, name: string): boolean {
    const collections = this.databases.get(database);
    const collection = collections?.get(name);
    if (!collections || !collection) return false;
    this.assertNotLockedByTransactions(collection);
    this.journal?.append([{ op: 'dropCollection', ns: collection.namespace }]);
    collections.delete(name);
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
    const collections = this.databases.get(database)!;
    collections.delete(name);
    source.name = targetName;
    collections.set(targetName, source);
  }

  dropDatabase(database: string): void {
    for (const collection of this.collections(database))
      this.assertNotLockedByTransactions(collection);
    this.journal?.append([{ op: 'dropDatabase', db: database }]);
    this.databases.delete(database);
  }

  /**
   * Adds an index; returns false when an identical one exists already. As in MongoDB, a build
   * waits (LockWait) for open transactions writing to the collection, so that none can commit a
   * document the new index would refuse; inside a transaction only a collection the transaction
   * created may get new indexes.
   */
  createIndex(collection: CollectionStore, spec: IndexSpec, txn?: Transaction): boolean {
    const existing = collection.indexes.get(spec.name);
    if (existing) {
      if (sameIndex(existing.spec, spec)) return false;
      const sameKey = canonicalKey(existing.spec.key) === canonicalKey(spec.key);
      throw new MongoCommandError(
        sameKey ? 'IndexOptionsConflict' : 'IndexKeySpecsConflict',
        sameKey
          ? `An existing index has the same name as the requested index but different options. ` +
              `Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing.spec)}`
          : `An existing index has the same name as the requested index. When index names are ` +
              `not specified, they are auto generated and can cause conflicts. Please refer to our ` +
              `documentation. Requested index: ${JSON.stringify(spec)}, existing index: ` +
              `${JSON.stringify(existing.spec)}`,
      );
    }
    for (const index of collection.indexes.values()) {
      if (canonicalKey(index.spec.key) !== canonicalKey(spec.key)) continue;
      throw new MongoCommandError(
        'IndexOptionsConflict',
        sameIndex(index.spec, spec)
          ? `Index already exists with a different name: ${index.name}`
          : `An equivalent index already exists with a different name and options. Requested ` +
              `index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(index.spec)}`,
      );
    }
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
    for (const open of this.openSnapshots) {
      if (open.writes.has(collection)) throw new LockWait(open);
    }
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

  // ---- reads ----

  /** Every document of a collection visible to `txn` (or the latest committed state). */
  *visibleDocuments(
    collection: CollectionStore,
    txn: Transaction | undefined,
    candidates?: Iterable<string>,
  ): IterableIterator<Document> {
    const snapshot = txn && !txn.autocommit ? txn.snapshotSeq : undefined;
    const seen = new Set<string>();
    for (const id of candidates ?? collection.ids()) {
      if (seen.has(id)) continue;
      seen.add(id);
      const document = txn?.isStaged(collection, id)
        ? txn.staged(collection, id)
        : collection.versionAt(id, snapshot);
      if (document) yield document;
    }
    // Documents staged by this transaction that committed state (and its indexes) lacks.
    for (const [id, document] of txn?.writes.get(collection) ?? []) {
      if (document && !seen.has(id)) yield document;
    }
  }

  /**
   * The documents `filter` may match, narrowed by an equality index when one applies, and the
   * index used (none for a scan).
   */
  candidates(
    collection: CollectionStore,
    filter: Document,
    txn: Transaction | undefined,
    collation?: Collation,
  ): { index?: Index; documents: IterableIterator<Document> } {
    const snapshot = txn && !txn.autocommit ? txn.snapshotSeq : undefined;
    const { index, ids } = collection.plan(filter, snapshot, collation);
    return { index, documents: this.visibleDocuments(collection, txn, ids) };
  }

  // ---- transactions ----

  begin(autocommit: boolean): Transaction {
    const txn = new Transaction(this.seq, autocommit);
    if (!autocommit) this.openSnapshots.add(txn);
    return txn;
  }

  /** Stages an insert, update (`before` → `after`) or delete (`after` null). */
  stage(txn: Transaction, collection: CollectionStore, id: string, after: Document | null): void {
    this.lock(txn, `${collection.namespace}\u0000${id}`);
    if (!txn.autocommit && collection.lastChange(id) > txn.snapshotSeq) {
      throw this.conflict(txn);
    }
    if (after === null && !txn.isStaged(collection, id) && !collection.latest(id)) return;
    this.checkIndexKeys(txn, collection, id, after);
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
      throw duplicateKeyError(collection, ID_INDEX_SPEC, {
        key: id,
        values: [document._id],
      });
    }
    this.stage(txn, collection, id, document);
  }

  /** Journals the writes (on disk before anything is acknowledged), then makes them visible. */
  commit(txn: Transaction): void {
    if (txn.state !== 'active') return;
    if (txn.writes.size > 0 || txn.createdCollections.size > 0) {
      const operations: JournalOperation[] = [];
      for (const [ns, collection] of txn.createdCollections) {
        operations.push({ op: 'createCollection', ns });
        for (const index of collection.indexes.values()) {
          if (index.name !== ID_INDEX_SPEC.name)
            operations.push({ op: 'createIndex', ns, spec: index.spec });
        }
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
      for (const collection of txn.createdCollections.values()) {
        let collections = this.databases.get(collection.database);
        if (!collections) this.databases.set(collection.database, (collections = new Map()));
        collections.set(collection.name, collection);
      }
      const seq = ++this.seq;
      const snapshots = this.snapshotPoints(txn);
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
    for (const lock of txn.locks) this.lockOwners.delete(lock);
    if (this.openSnapshots.delete(txn)) {
      const snapshots = this.snapshotPoints();
      for (const collections of this.databases.values()) {
        for (const collection of collections.values()) collection.prune(snapshots);
      }
    }
    txn.end(state);
  }

  /** The snapshot points of open transactions other than `except`, ascending. */
  private snapshotPoints(except?: Transaction): number[] {
    const points: number[] = [];
    for (const open of this.openSnapshots) if (open !== except) points.push(open.snapshotSeq);
    return points.sort((a, b) => a - b);
  }

  private lock(txn: Transaction, name: string): void {
    const owner = this.lockOwners.get(name);
    if (owner === txn) return;
    if (owner && owner.state === 'active') {
      if (txn.autocommit) throw new LockWait(owner);
      throw this.conflict(txn);
    }
    this.lockOwners.set(name, txn);
    txn.locks.add(name);
  }

  /** A write conflict aborts the transaction, as in MongoDB; the driver may retry it whole. */
  private conflict(txn: Transaction): MongoCommandError {
    this.abort(txn);
    return writeConflict();
  }

  /**
   * Refuses a document no index can hold (parallel arrays, 171) or one whose unique key another
   * document holds, and claims its unique keys for `txn`. Runs when a write is staged, so that
   * applying the commit can no longer fail.
   */
  private checkIndexKeys(
    txn: Transaction,
    collection: CollectionStore,
    id: string,
    after: Document | null,
  ): void {
    for (const index of collection.indexes.values()) {
      if (!index.unique) {
        if (after && index.mayRefuse) index.keysOf(after);
        continue;
      }
      const staged = txn.stagedKeysOf(index);
      staged.release(id);
      if (!after) continue;
      for (const key of index.keysOf(after)) {
        const stagedHolder = staged.holder(key.key);
        if (stagedHolder !== undefined && stagedHolder !== id) {
          throw duplicateKeyError(collection, index.spec, key);
        }
        for (const holder of index.holders(key.key) ?? []) {
          if (holder === id || txn.isStaged(collection, holder)) continue;
          // A key committed after the snapshot is one the transaction cannot see: like
          // MongoDB, report a write conflict so that the whole transaction is retried and
          // then finds the holder, rather than a duplicate it had no way to avoid.
          if (!txn.autocommit && collection.lastChange(holder) > txn.snapshotSeq) {
            throw this.conflict(txn);
          }
          throw duplicateKeyError(collection, index.spec, key);
        }
        this.lock(txn, `${collection.namespace}\u0000${index.name}\u0000${key.key}`);
        staged.claim(key.key, id);
      }
    }
  }

  private assertNotLockedByTransactions(collection: CollectionStore): void {
    for (const txn of this.openSnapshots) {
      if (txn.writes.has(collection)) {
        throw new MongoCommandError(
          'WriteConflict',
          `Cannot drop ${collection.namespace} while a transaction is writing to it`,
        );
      }
    }
  }
}

function validateCollectionName(database: string, name: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('$') || name.includes('\u0000')) {
    throw new MongoCommandError('InvalidNamespace', `Invalid collection name: ${name}`);
  }
  if (!database || /[/\\. "$]/.test(database) || database.includes('\u0000')) {
    throw new MongoCommandError('InvalidNamespace', `Invalid database name: ${database}`);
  }
}

/** MongoDB's E11000 error, with the `keyPattern` and `keyValue` mongoose reads. */
export function duplicateKeyError(
  collection: CollectionStore,
  spec: IndexSpec,
  key: IndexKey,
): MongoCommandError {
  const fields = Object.keys(spec.key);
  const keyValue: Document = {};
  fields.forEach((field, i) => setOwn(keyValue, field, key.values[i] ?? null));
  return new MongoCommandError(
    'DuplicateKey',
    `E11000 duplicate key error collection: ${collection.namespace} index: ${spec.name} ` +
      `dup key: ${formatKeyValue(keyValue)}`,
    { keyPattern: { ...spec.key }, keyValue },
  );
}
