import { type Document } from 'bson';

import { type Collation } from './collation';
import { type CollectionStore } from './collection';
import { type Index } from './indexes';
import { type Transaction } from './transaction';

/** An index lookup (`index` and the `ids` it yields) or, when both are absent, a scan. */
interface QueryPlan {
  index?: Index;
  ids?: Iterable<string>;
}

function withCandidates(
  index: Index,
  sets: ReadonlySet<string>[] | undefined,
): [Index, ReadonlySet<string>[]] | undefined {
  return sets && [index, sets];
}

function firstDefined<T, R>(items: T[], pick: (item: T) => R | undefined): R | undefined {
  for (const item of items) {
    const picked = pick(item);
    if (picked !== undefined) return picked;
  }
  return undefined;
}

/**
 * How to find the documents `filter` may match: through an equality index (the ids it yields,
 * possibly repeated), or by a scan when no index applies (`ids` undefined). For snapshot reads
 * the ids changed since the snapshot are added, because the indexes describe only the latest
 * versions.
 */
function plan(
  collection: CollectionStore,
  filter: Document,
  snapshotSeq: number | undefined,
  collation?: Collation,
): QueryPlan {
  const indexes = [...collection.indexes.values()];
  // An index the filter pins whole (the _id index first) beats one pinned by its first field.
  const chosen =
    firstDefined(indexes, (index) =>
      withCandidates(index, index.candidates(filter, true, collation)),
    ) ??
    firstDefined(indexes, (index) =>
      withCandidates(index, index.candidates(filter, false, collation)),
    );
  if (!chosen) return {};
  const [index, sets] = chosen;
  const changes = snapshotSeq === undefined ? [] : collection.changesSince(snapshotSeq);
  const ids = (function* () {
    for (const set of sets) yield* set;
    yield* changes;
  })();
  return { index, ids };
}

/** Every document of a collection visible to `txn` (or the latest committed state). */
export function* visibleDocuments(
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
export function candidates(
  collection: CollectionStore,
  filter: Document,
  txn: Transaction | undefined,
  collation?: Collation,
): { index?: Index; documents: IterableIterator<Document> } {
  const snapshot = txn && !txn.autocommit ? txn.snapshotSeq : undefined;
  const { index, ids } = plan(collection, filter, snapshot, collation);
  return { index, documents: visibleDocuments(collection, txn, ids) };
}
