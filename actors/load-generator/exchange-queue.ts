// A FIFO of exchanges on a ring that only grows: one connection's requests, oldest first.
import type { Exchange } from './exchange.js';

export class ExchangeQueue {
  #ring: (Exchange | undefined)[] = new Array<Exchange | undefined>(4).fill(undefined);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(ex: Exchange): void {
    if (this.#size === this.#ring.length) this.#grow();
    this.#ring[(this.#head + this.#size) & (this.#ring.length - 1)] = ex;
    this.#size++;
  }

  /** The i-th from the oldest (0 ≤ i < size). */
  at(i: number): Exchange {
    return this.#ring[(this.#head + i) & (this.#ring.length - 1)]!;
  }

  shift(): Exchange {
    const ex = this.#ring[this.#head]!;
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#ring.length - 1);
    this.#size--;
    return ex;
  }

  /** Its place from the oldest, or -1. */
  indexOf(ex: Exchange): number {
    for (let i = 0; i < this.#size; i++) if (this.at(i) === ex) return i;
    return -1;
  }

  /** Takes out the i-th (rare: an exchange that timed out before it could be written). */
  removeAt(i: number): void {
    const mask = this.#ring.length - 1;
    for (let j = i; j < this.#size - 1; j++) this.#ring[(this.#head + j) & mask] = this.#ring[(this.#head + j + 1) & mask];
    this.#ring[(this.#head + this.#size - 1) & mask] = undefined;
    this.#size--;
  }

  #grow(): void {
    const grown = new Array<Exchange | undefined>(this.#ring.length * 2).fill(undefined);
    for (let i = 0; i < this.#size; i++) grown[i] = this.at(i);
    this.#ring = grown;
    this.#head = 0;
  }
}
