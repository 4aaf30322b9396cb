import { type Transaction } from './transaction';

/** Thrown when an ordinary write meets a document an open transaction has locked: it waits. */
export class LockWait extends Error {
  constructor(readonly owner: Transaction) {
    super('lock held by an open transaction');
  }
}

// Lock names: NUL and SOH cannot occur in a namespace, so the three kinds never collide.
export const documentLock = (namespace: string, id: string) => `${namespace}\u0000${id}`;
export const uniqueKeyLock = (namespace: string, index: string, key: string) =>
  `${namespace}\u0000${index}\u0000${key}`;
export const namespaceLock = (namespace: string) => `\u0001${namespace}`;

/** First-writer-wins locks by name, each held by one transaction until it ends. */
export class LockTable {
  private readonly owners = new Map<string, Transaction>();

  /** The open transaction other than `txn` holding `name`, if any. */
  heldByOther(txn: Transaction | undefined, name: string): Transaction | undefined {
    const owner = this.owners.get(name);
    return owner !== txn && owner?.state === 'active' ? owner : undefined;
  }

  /** Takes `name` for `txn`; the caller has checked that no other open transaction holds it. */
  take(txn: Transaction, name: string): void {
    if (this.owners.get(name) === txn) return;
    this.owners.set(name, txn);
    txn.locks.add(name);
  }

  releaseAll(txn: Transaction): void {
    for (const lock of txn.locks) this.owners.delete(lock);
  }
}
