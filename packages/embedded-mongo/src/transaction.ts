import { type Document } from 'bson';

import { type CollectionStore } from './collection';
import { type Index } from './indexes';

/** Which staged document holds each unique key, and the reverse, for O(1) re-staging. */
export class StagedKeys {
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
