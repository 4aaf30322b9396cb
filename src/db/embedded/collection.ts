import { type Document, UUID } from 'bson';

import { canonicalKey } from './bson-order';
import { Index, type IndexSpec } from './indexes';

/** One committed version of a document; `doc` null marks a deletion. */
interface Version {
  seq: number;
  doc: Document | null;
}

/** A document's latest committed version, plus older ones while open snapshots may read them. */
interface DocumentRecord extends Version {
  history?: Version[];
}

const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/** An index lookup (`index` and the `ids` it yields) or, when both are absent, a scan. */
export interface QueryPlan {
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
  /** (seq, id) of every change since the oldest open snapshot, for snapshot index lookups. */
  private changeLog: { seq: number; id: string }[] = [];
  private liveCount = 0;

  constructor(
    readonly database: string,
    /** Changes only through the engine's renameCollection. */
    public name: string,
  ) {
    this.indexes.set(ID_INDEX.name, new Index(ID_INDEX));
  }

  get namespace(): string {
    return `${this.database}.${this.name}`;
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

  /**
   * How to find the documents `filter` may match: through an equality index (the ids it
   * yields, possibly repeated), or by a scan when no index applies (`ids` undefined). For
   * snapshot reads the ids changed since the snapshot are added, because the indexes describe
   * only the latest versions.
   */
  plan(filter: Document, snapshotSeq: number | undefined): QueryPlan {
    const indexes = [...this.indexes.values()];
    // An index the filter pins whole (the _id index first) beats one pinned by its first field.
    const chosen =
      firstDefined(indexes, (index) => withCandidates(index, index.candidates(filter, true))) ??
      firstDefined(indexes, (index) => withCandidates(index, index.candidates(filter, false)));
    if (!chosen) return {};
    const [index, sets] = chosen;
    const changes = snapshotSeq === undefined ? [] : this.changesSince(snapshotSeq);
    const ids = (function* () {
      for (const set of sets) yield* set;
      yield* changes;
    })();
    return { index, ids };
  }

  private changesSince(seq: number): string[] {
    return this.changeLog.filter((change) => change.seq > seq).map((change) => change.id);
  }

  /**
   * Makes `doc` (or a deletion, when null) the latest version at `seq`. `keepHistory` is set
   * while open snapshots may still need the version it replaces.
   */
  apply(id: string, doc: Document | null, seq: number, keepHistory: boolean): void {
    const record = this.records.get(id);
    const previous = record?.doc ?? null;
    if (previous) for (const index of this.indexes.values()) index.remove(id, previous);
    if (doc) for (const index of this.indexes.values()) index.add(id, doc);
    this.liveCount += (doc ? 1 : 0) - (previous ? 1 : 0);

    if (!keepHistory) {
      if (doc) this.records.set(id, { seq, doc });
      else this.records.delete(id);
      return;
    }
    const history = record ? [...(record.history ?? []), { seq: record.seq, doc: record.doc }] : [];
    this.records.set(id, { seq, doc, history });
    this.recordsWithHistory.add(id);
    this.changeLog.push({ seq, id });
  }

  /** Drops history and tombstones once no snapshot is open. */
  forgetHistory(): void {
    for (const id of this.recordsWithHistory) {
      const record = this.records.get(id);
      if (!record) continue;
      if (record.doc) delete record.history;
      else this.records.delete(id);
    }
    this.recordsWithHistory.clear();
    this.changeLog = [];
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
