import { type Document } from 'bson';

import { type CollectionStore, idKeyOf } from '../../src/collection';
import { StorageEngine } from '../../src/engine';
import { visibleDocuments } from '../../src/planner';
import { type Transaction } from '../../src/transaction';

// Snapshot reads need old versions of documents, but only those an open transaction can still
// read: a document updated many times while transactions overlap must not pile up history.

function put(engine: StorageEngine, collection: CollectionStore, document: Document): void {
  const unit = engine.begin(true);
  engine.stage(unit, collection, idKeyOf(document), document);
  engine.commit(unit);
}

function seen(collection: CollectionStore, txn: Transaction): unknown {
  return [...visibleDocuments(collection, txn)][0]?.n;
}

describe('document history', () => {
  it('keeps only the versions some open snapshot can read while transactions overlap', () => {
    const engine = new StorageEngine();
    const collection = engine.createCollection('versions', 'hot');
    put(engine, collection, { _id: 1, n: 0 });
    const snapshots: { txn: Transaction; n: number }[] = [];
    let mostKept = 0;
    for (let n = 1; n <= 5_000; n++) {
      // A new transaction every 100 updates; each stays open for the next 250 updates, so two
      // or three overlap at any time and some snapshot is always open.
      if (n % 100 === 0) snapshots.push({ txn: engine.begin(false), n: n - 1 });
      while (snapshots.length > 0 && snapshots[0].n < n - 250) engine.abort(snapshots.shift()!.txn);
      put(engine, collection, { _id: 1, n });
      mostKept = Math.max(mostKept, collection.oldVersionCount);
    }

    expect(mostKept).toBeLessThanOrEqual(3);
    for (const { txn, n } of snapshots) expect(seen(collection, txn)).toBe(n);
    for (const { txn } of snapshots) engine.abort(txn);
    expect(collection.oldVersionCount).toBe(0);
  });

  it('keeps a deletion visible as a conflict to a transaction that started before it', () => {
    const engine = new StorageEngine();
    const collection = engine.createCollection('versions', 'deleted');
    const reader = engine.begin(false);
    const other = engine.begin(false);
    put(engine, collection, { _id: 1, n: 1 });
    const unit = engine.begin(true);
    engine.stage(unit, collection, idKeyOf({ _id: 1 }), null);
    engine.commit(unit);
    engine.abort(other);

    expect(() => engine.stage(reader, collection, idKeyOf({ _id: 1 }), { _id: 1, n: 2 })).toThrow(
      expect.objectContaining({ codeName: 'WriteConflict' }),
    );
  });
});
