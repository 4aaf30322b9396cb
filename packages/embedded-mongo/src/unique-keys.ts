import { type Document } from 'bson';

import { type CollectionStore } from './collection';
import { MongoCommandError } from './errors';
import { setOwn } from './field-names';
import { formatKeyValue } from './format';
import { type IndexKey, type IndexSpec } from './indexes';
import { uniqueKeyLock } from './locks';
import { type Transaction } from './transaction';

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

/** What checking a write's keys needs from the engine: its locks and its conflict rule. */
export interface KeyLocking {
  lock(txn: Transaction, name: string): void;
  /** Aborts `txn` and returns the WriteConflict to throw. */
  conflict(txn: Transaction): MongoCommandError;
}

/**
 * Refuses a document no index can hold (parallel arrays, 171) or one whose unique key another
 * document holds, and claims its unique keys for `txn`. Runs when a write is staged, so that
 * applying the commit can no longer fail.
 */
export function checkIndexKeys(
  locking: KeyLocking,
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
          throw locking.conflict(txn);
        }
        throw duplicateKeyError(collection, index.spec, key);
      }
      locking.lock(txn, uniqueKeyLock(collection.namespace, index.name, key.key));
      staged.claim(key.key, id);
    }
  }
}
