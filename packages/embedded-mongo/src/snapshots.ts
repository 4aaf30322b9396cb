import { type CollectionStore } from './collection';
import { type Transaction } from './transaction';

/**
 * The multi-document transactions open now: their snapshot points decide which old document
 * versions must be kept, and their writes hold back index builds and drops.
 */
export class OpenSnapshots {
  private readonly open = new Set<Transaction>();

  get size(): number {
    return this.open.size;
  }

  add(txn: Transaction): void {
    this.open.add(txn);
  }

  /** Forgets `txn`; false when it was not open (an autocommit unit). */
  delete(txn: Transaction): boolean {
    return this.open.delete(txn);
  }

  /** The snapshot points of open transactions other than `except`, ascending. */
  points(except?: Transaction): number[] {
    const points: number[] = [];
    for (const open of this.open) if (open !== except) points.push(open.snapshotSeq);
    return points.sort((a, b) => a - b);
  }

  /** An open transaction with staged writes to `collection`, if any. */
  writerTo(collection: CollectionStore): Transaction | undefined {
    for (const open of this.open) if (open.writes.has(collection)) return open;
    return undefined;
  }
}
