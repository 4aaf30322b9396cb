import { type Document, UUID } from 'bson';

import { canonicalKey } from './bson-order';
import { ID_INDEX_SPEC, Index, type IndexSpec } from './indexes';
import { namespaceOf } from './namespace';

/** One committed version of a document; `doc` null marks a deletion. */
interface Version {
  seq: number;
  doc: Document | null;
}

/** A document's latest committed version, plus older ones while open snapshots may read them. */
interface DocumentRecord extends Version {
  history?: Version[];
}

/** Whether some snapshot in `snapshots` (ascending) lies in [from, to). */
function seesRange(snapshots: readonly number[], from: number, to: number): boolean {
  let low = 0;
  let high = snapshots.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (snapshots[middle] < from) low = middle + 1;
    else high = middle;
  }
  return low < snapshots.length && snapshots[low] < to;
}

/** The key under which a document is stored: equal for `_id`s MongoDB considers equal. */
export function idKeyOf(document: Document): string {
  return canonicalKey(document._id);
}

/**
 * A collection's committed state: documents in insertion order, their recent history for
 * snapshot reads, and the indexes over the latest versions.
 */
export class CollectionStore {
  readonly uuid = new UUID();
  readonly indexes = new Map<string, Index>();
  private readonly records = new Map<string, DocumentRecord>();
  private readonly recordsWithHistory = new Set<string>();
  /** id → seq of its last change, for changes after the oldest open snapshot (index lookups). */
  private readonly changeLog = new Map<string, number>();
  private liveCount = 0;

  constructor(
    readonly database: string,
    /** Changes only through the engine's renameCollection. */
    public name: string,
  ) {
    this.indexes.set(ID_INDEX_SPEC.name, new Index(ID_INDEX_SPEC));
  }

  get namespace(): string {
    return namespaceOf(this.database, this.name);
  }

  get count(): number {
    return this.liveCount;
  }

  /** The latest committed version of a document. */
  latest(id: string): Document | undefined {
    return this.records.get(id)?.doc ?? undefined;
  }

  /** The sequence number at which the document last changed, or 0 when never written. */
  lastChange(id: string): number {
    return this.records.get(id)?.seq ?? 0;
  }

  /** The version visible to a snapshot taken at `seq` (undefined: latest). */
  versionAt(id: string, seq: number | undefined): Document | undefined {
    const record = this.records.get(id);
    if (!record) return undefined;
    if (seq === undefined || record.seq <= seq) return record.doc ?? undefined;
    const history = record.history ?? [];
    for (let i = history.length - 1; i >= 0; i--) {
      if (history[i].seq <= seq) return history[i].doc ?? undefined;
    }
    return undefined;
  }

  /** Ids of every record, live or kept for snapshots, in insertion order. */
  ids(): IterableIterator<string> {
    return this.records.keys();
  }

  /** Ids changed after `seq` while snapshots were open (their index entries may be newer). */
  changesSince(seq: number): string[] {
    const ids: string[] = [];
    for (const [id, changed] of this.changeLog) if (changed > seq) ids.push(id);
    return ids;
  }

  /**
   * Makes `doc` (or a deletion, when null) the latest version at `seq`. `snapshots` are the
   * snapshot points of the transactions still open (ascending): the version replaced is kept
   * only if one of them can still read it.
   */
  apply(id: string, doc: Document | null, seq: number, snapshots: readonly number[]): void {
    const record = this.records.get(id);
    const previous = record?.doc ?? null;
    if (previous) for (const index of this.indexes.values()) index.remove(id, previous);
    if (doc) for (const index of this.indexes.values()) index.add(id, doc);
    this.liveCount += (doc ? 1 : 0) - (previous ? 1 : 0);

    if (snapshots.length === 0) {
      if (doc) this.records.set(id, { seq, doc });
      else this.records.delete(id);
      return;
    }
    // Appended in place: copying the history on every commit made a hot document's updates
    // quadratic while transactions overlapped.
    const next: DocumentRecord = { seq, doc, history: record?.history ?? [] };
    if (record) next.history!.push({ seq: record.seq, doc: record.doc });
    this.records.set(id, next);
    this.recordsWithHistory.add(id);
    // Re-inserted so the map stays in ascending seq order, which pruning relies on.
    this.changeLog.delete(id);
    this.changeLog.set(id, seq);
    this.pruneRecord(id, next, snapshots);
  }

  /**
   * Drops the versions, tombstones and change-log entries that none of the open snapshots
   * (ascending) can read any more; called whenever a transaction ends.
   */
  prune(snapshots: readonly number[]): void {
    for (const id of this.recordsWithHistory) {
      const record = this.records.get(id);
      if (record) this.pruneRecord(id, record, snapshots);
      else this.recordsWithHistory.delete(id);
    }
    const oldest = snapshots[0] ?? Number.POSITIVE_INFINITY;
    for (const [id, changed] of this.changeLog) {
      if (changed > oldest) break;
      this.changeLog.delete(id);
    }
  }

  /** Old versions held for open snapshots, for checking that history stays bounded. */
  get oldVersionCount(): number {
    let count = 0;
    for (const id of this.recordsWithHistory) count += this.records.get(id)?.history?.length ?? 0;
    return count;
  }

  private pruneRecord(id: string, record: DocumentRecord, snapshots: readonly number[]): void {
    const history = record.history ?? [];
    // A version is readable by a snapshot taken at or after it and before the next version.
    const kept = history.filter((version, i) =>
      seesRange(snapshots, version.seq, history[i + 1]?.seq ?? record.seq),
    );
    if (kept.length > 0) {
      record.history = kept;
      return;
    }
    delete record.history;
    this.recordsWithHistory.delete(id);
    // A tombstone stays while a snapshot older than the deletion is open: a write from that
    // transaction must still see the conflict.
    if (!record.doc && !(snapshots.length > 0 && snapshots[0] < record.seq)) {
      this.records.delete(id);
    }
  }

  /** An index over the latest versions, not yet in use: building it may fail (171). */
  buildIndex(spec: IndexSpec): Index {
    const index = new Index(spec);
    for (const [id, record] of this.records) if (record.doc) index.add(id, record.doc);
    return index;
  }

  /** Every live document, latest versions, in insertion order. */
  *liveDocuments(): IterableIterator<[string, Document]> {
    for (const [id, record] of this.records) if (record.doc) yield [id, record.doc];
  }
}
