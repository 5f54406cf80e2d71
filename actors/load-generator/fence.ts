// A fenced run's view of its share lease (src/execution/share-lease.ts), in its sending loop's time
// (performance.now()): it sends an arrival only if it held the share both when the arrival was due and
// now. An arrival it may not send is dropped when surely its own (due before `sure`: no coordinator can
// have moved it yet), forgotten when known to be another's (due from `movedAt` on), and otherwise kept
// aside until a later grant or the release tells which: so `scheduled` never counts another's arrival.
// Those never told of are reported as held back, not counted (heldBack).
import { Backlog } from './backlog.js';
import { HeldSpans } from './held-spans.js';

export type UnheldFate = 'drop' | 'doubt' | 'forget';

export class Fence {
  readonly #spans = new HeldSpans();
  #sure = -Infinity;
  #movedAt = Infinity;
  readonly #doubtful = new Backlog();

  grant(from: number, until: number, sure: number): void {
    this.#spans.grant(from, until);
    this.#sure = Math.max(this.#sure, sure);
  }

  /** The share moved to others: arrivals due from `movedAt` on were never this run's. */
  release(movedAt: number): void {
    this.#movedAt = Math.min(this.#movedAt, movedAt);
  }

  /** From when the share is known to be others' (Infinity: not known to have moved). */
  get movedAt(): number {
    return this.#movedAt;
  }

  may(due: number, now: number): boolean {
    return due < this.#movedAt && this.#spans.holds(due) && this.#spans.holds(now);
  }

  fate(due: number): UnheldFate {
    if (due >= this.#movedAt) return 'forget';
    // Once the move is known, everything due before it was its own.
    return due < this.#sure || this.#movedAt < Infinity ? 'drop' : 'doubt';
  }

  /** Some arrivals are kept aside, not yet known to be its own or another's. */
  get unsure(): boolean {
    return this.#doubtful.size > 0;
  }

  doubt(due: number, target: number): void {
    this.#doubtful.push(due, target);
  }

  /**
   * At the run's end, still not told: how many doubtful arrivals it held back (they are forgotten here).
   * Whose they were is the coordinator's to say, which knows whether and when the share moved: counting
   * them as dropped here (a guess that the share had not moved) counted them twice when it had, beside
   * the generators that took them over (src/execution/accounting.ts).
   */
  heldBack(): number {
    const q = this.#doubtful;
    let held = 0;
    for (; q.size > 0; q.shift()) if (this.fate(q.headDue()) !== 'forget') held++;
    return held;
  }

  /** Hands `drop` each doubtful arrival now known to be its own, and forgets those known to be another's. */
  settle(drop: (target: number, due: number) => void): void {
    const q = this.#doubtful;
    while (q.size > 0) {
      const fate = this.fate(q.headDue());
      if (fate === 'doubt') break; // in due order: the later ones are no surer
      if (fate === 'drop') drop(q.headTarget(), q.headDue());
      q.shift();
    }
  }
}
