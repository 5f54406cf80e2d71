// Time goes through a Clock so that liveness, election and retry logic run deterministically in tests.

export type TimerHandle = { readonly id: number };

export interface Clock {
  /** Milliseconds since the epoch (wall clock for the system clock). */
  now(): number;
  /** Call `fn` once after `ms`, never before now() has moved on by `ms`. */
  schedule(fn: () => void, ms: number): TimerHandle;
  /**
   * Call `fn` once after about `ms` on the runtime's own timer, which may fire up to a millisecond before
   * now() has moved on by `ms`: for a loop that measures time itself (performance.now) and would pay a
   * second wake-up for `schedule`'s guarantee.
   */
  wake(fn: () => void, ms: number): TimerHandle;
  /** Call `fn` every `ms`. Unlike `schedule`'s, the system clock's keeps the process alive (a load loop must). */
  repeat(fn: () => void, ms: number): TimerHandle;
  /** Cancel a timer of `schedule`, `wake` or `repeat`. */
  cancel(handle: TimerHandle): void;
}

let nextId = 1;

/** How early by Date.now() a Node timer can fire from rounding alone (1 ms seen; a margin over it). */
const ROUNDING_MS = 2;

/** A Node timeout that does not keep the process alive. */
function unrefTimeout(fn: () => void, ms: number): NodeJS.Timeout {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return t;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // Node's timers run on the monotonic clock and round it: one often fires a millisecond before
  // Date.now() reaches its due time (a fifth of them, measured here). A timer set to look again "when
  // X is due" would then find X not yet due, so it waits out the rest: that rounding only. A wall clock
  // stepped back (NTP) leaves the timer to the monotonic clock, as before, rather than hold every actor
  // for the length of the step.
  schedule(fn, ms) {
    const due = Date.now() + ms;
    const handle = { id: nextId++, t: undefined as unknown as NodeJS.Timeout };
    const fire = () => {
      const left = due - Date.now();
      if (left <= 0 || left > ROUNDING_MS) return fn();
      handle.t = unrefTimeout(fire, left);
    };
    handle.t = unrefTimeout(fire, ms);
    return handle;
  },
  wake(fn, ms) {
    return { id: nextId++, t: unrefTimeout(fn, ms) } as TimerHandle;
  },
  repeat(fn, ms) {
    const t = setInterval(fn, ms);
    return { id: nextId++, t } as TimerHandle;
  },
  cancel(handle) {
    // clearTimeout clears either kind of Node timer.
    clearTimeout((handle as unknown as { t: NodeJS.Timeout }).t);
  },
};

interface Pending {
  handle: TimerHandle;
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock that only moves when told to. Timers fire in time order, ties in creation order. */
export class FakeClock implements Clock {
  #now: number;
  #pending: Pending[] = [];
  #seq = 0;

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(fn: () => void, ms: number): TimerHandle {
    const handle = { id: nextId++ };
    this.#pending.push({ handle, at: this.#now + Math.max(0, ms), seq: this.#seq++, fn });
    return handle;
  }

  wake(fn: () => void, ms: number): TimerHandle {
    return this.schedule(fn, ms);
  }

  cancel(handle: TimerHandle): void {
    this.#pending = this.#pending.filter((p) => p.handle !== handle);
  }

  repeat(fn: () => void, ms: number): TimerHandle {
    const handle = { id: nextId++ };
    const period = Math.max(1, ms);
    const schedule = (at: number) => this.#pending.push({ handle, at, seq: this.#seq++, fn: () => (schedule(at + period), fn()) });
    schedule(this.#now + period);
    return handle;
  }

  /** Move time forward, firing every timer that falls due on the way (including ones set while firing). */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const next = this.#nextDue(until);
      if (next === undefined) break;
      this.#pending.splice(this.#pending.indexOf(next), 1);
      this.#now = next.at;
      next.fn();
    }
    this.#now = until;
  }

  /** Number of timers still waiting. */
  get pendingTimers(): number {
    return this.#pending.length;
  }

  #nextDue(until: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.#pending) {
      if (p.at > until) continue;
      if (best === undefined || p.at < best.at || (p.at === best.at && p.seq < best.seq)) best = p;
    }
    return best;
  }
}
