// Request timeouts to the millisecond. undici's own header timer ticks about every 500 ms, so a 100 ms
// timeout would fire late. Requests in flight sit in a list (O(1) add and remove); the run's timer loop
// scans it only once the earliest deadline is due, which for healthy traffic is about once per timeout.
import type { Exchange } from './exchange.js';

export class Deadlines {
  readonly #list: Exchange[] = [];
  readonly #due: Exchange[] = [];
  #nextCheck = Infinity;

  get size(): number {
    return this.#list.length;
  }

  /** The earliest deadline's time, or later (Infinity when none): the loop need not wake for them before. */
  get nextCheck(): number {
    return this.#list.length === 0 ? Infinity : this.#nextCheck;
  }

  add(ex: Exchange, deadline: number): void {
    ex.deadline = deadline;
    ex.slot = this.#list.length;
    this.#list.push(ex);
    if (deadline < this.#nextCheck) this.#nextCheck = deadline;
  }

  remove(ex: Exchange): void {
    const slot = ex.slot;
    if (slot < 0) return;
    const last = this.#list.pop()!;
    if (last !== ex) {
      this.#list[slot] = last;
      last.slot = slot;
    }
    ex.slot = -1;
  }

  /** Expires every request past its deadline. */
  expire(now: number): void {
    if (now < this.#nextCheck) return;
    let next = Infinity;
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      const ex = list[i]!;
      if (ex.deadline <= now) this.#due.push(ex);
      else if (ex.deadline < next) next = ex.deadline;
    }
    this.#nextCheck = next;
    // Expiring may finish an exchange at once (and so change the list): do it after the scan.
    for (const ex of this.#due) ex.expire();
    this.#due.length = 0;
  }
}
