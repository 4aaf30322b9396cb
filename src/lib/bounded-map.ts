/**
 * A Map that holds at most `capacity` entries, forgetting the oldest one put in when full: for
 * what a process remembers to save work (verified tokens, measured documents), where an
 * attacker sending ever new values must not grow memory without bound.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly capacity: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.capacity) {
      this.delete(this.keys().next().value as K);
    }
    return super.set(key, value);
  }
}
