// Closed model: each user sends, waits for the answer, thinks, and sends again until the end.
// Users are plain counts (no per-user objects); thinking users wait in a FIFO of wake times, which
// stays sorted because think time is constant. The latency of a request runs from the moment its user
// was due to send (its wake time), so a late timer shows in it.
import { pickTarget } from './segment.js';
import type { Sender } from './sender.js';

export interface ClosedModelOptions {
  /** performance.now() time after which no request starts. */
  endMs: number;
  thinkMs: number;
  users: number;
  weights: Float64Array;
  /** Whether a user may send now (a fenced run's lease); when not, it waits and tries again. */
  may?: (due: number, now: number) => boolean;
  /** Told when a user goes to sleep until `at`, so that the loop wakes by then (it may be set for later). */
  wakeBy?: (at: number) => void;
}

/** How often a user of a paused run looks again (at least its think time, so that wake times stay nearly sorted). */
const PAUSED_RETRY_MS = 10;

export class ClosedModel {
  readonly #sender: Sender;
  readonly #opts: ClosedModelOptions;
  #wanted: number;
  /** Users alive: in flight or thinking. */
  #active = 0;
  #sent = 0;
  #halted = false;
  #started = false;
  #wake = new Float64Array(64);
  #wakeHead = 0;
  #wakeSize = 0;

  constructor(sender: Sender, opts: ClosedModelOptions) {
    this.#sender = sender;
    this.#opts = opts;
    this.#wanted = opts.users;
    sender.onFree = (later) => this.#userFree(later);
  }

  get active(): number {
    return this.#active;
  }

  /** Starts users until `wanted` are alive. */
  start(now: number): void {
    this.#started = true;
    while (this.#active < this.#wanted && now < this.#opts.endMs && !this.#halted) {
      this.#active++;
      this.#send(now, now);
    }
  }

  /** Changes the number of users: new ones start at once, surplus ones leave after their request. */
  setUsers(users: number, now: number): void {
    this.#wanted = users;
    if (this.#started) this.start(now);
  }

  /** No more requests: thinking users leave at once, the others after their request. */
  halt(): void {
    this.#halted = true;
    this.#active -= this.#wakeSize;
    this.#wakeSize = 0;
  }

  /** performance.now() time at which the loop next has something to do: a user wakes, or the end. */
  nextWake(): number {
    if (this.#halted) return Infinity;
    return this.#wakeSize > 0 ? Math.min(this.#wake[this.#wakeHead]!, this.#opts.endMs) : this.#opts.endMs;
  }

  tick(now: number): void {
    if (now >= this.#opts.endMs) this.halt();
    while (this.#wakeSize > 0 && this.#wake[this.#wakeHead]! <= now) {
      const due = this.#wake[this.#wakeHead]!;
      this.#wakeHead = (this.#wakeHead + 1) % this.#wake.length;
      this.#wakeSize--;
      this.#send(due, now);
    }
  }

  #send(intended: number, now: number): void {
    if (this.#opts.may && !this.#opts.may(intended, now)) {
      this.#sleep(now + Math.max(this.#opts.thinkMs, PAUSED_RETRY_MS));
      return;
    }
    const target = pickTarget(++this.#sent, this.#opts.weights);
    this.#sender.schedule(target);
    this.#sender.send(target, intended, now);
  }

  #userFree(later: boolean): void {
    const now = performance.now();
    if (this.#halted || now >= this.#opts.endMs || this.#active > this.#wanted) {
      this.#active--;
      return;
    }
    // After a failure without an answer (or one inside dispatch itself) the user waits for the timer,
    // never re-sending from the failing call (see Sender.onFree).
    if (this.#opts.thinkMs > 0 || later) this.#sleep(now + Math.max(this.#opts.thinkMs, 1));
    else this.#send(now, now);
  }

  #sleep(until: number): void {
    if (this.#wakeSize === this.#wake.length) {
      const grown = new Float64Array(this.#wake.length * 2);
      for (let i = 0; i < this.#wakeSize; i++) grown[i] = this.#wake[(this.#wakeHead + i) % this.#wake.length]!;
      this.#wake = grown;
      this.#wakeHead = 0;
    }
    this.#wake[(this.#wakeHead + this.#wakeSize) % this.#wake.length] = until;
    this.#wakeSize++;
    this.#opts.wakeBy?.(until);
  }
}
