// The receiver's memory of handled message ids: an exactly-once retry is answered with the reply it got
// the first time, without running the handler again. Bounded in time (TTL) and in size (oldest go first).

export class DedupCache<V> {
  readonly ttlMs: number;
  readonly max: number;
  // Insertion order is expiry order while the clock does not step back; if it does, an entry may outstay
  // its TTL, but never the size cap.
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(ttlMs: number, max: number) {
    if (!(ttlMs > 0) || !(max >= 1)) throw new RangeError('DedupCache needs ttlMs > 0 and max ≥ 1');
    this.ttlMs = ttlMs;
    this.max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The remembered reply, boxed so that a handler's `undefined` result still counts as found. */
  get(key: string, now: number): { value: V } | undefined {
    this.#expire(now);
    const entry = this.#entries.get(key);
    return entry && { value: entry.value };
  }

  /** Remember `value` for `key`; returns how many entries the size cap evicted. */
  set(key: string, value: V, now: number): number {
    this.#expire(now);
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: now + this.ttlMs });
    let evicted = 0;
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.max) break;
      this.#entries.delete(oldest);
      evicted++;
    }
    return evicted;
  }

  #expire(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) break;
      this.#entries.delete(key);
    }
  }
}
