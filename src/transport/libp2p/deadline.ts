// Time limits on request streams, with nothing allocated per frame on a stream that is reused.
// An AbortController per frame, with its signal, the listener a read hangs on it and a timer, lived as long as
// the wait it limited: on an answering stream, the whole gap to the caller's next request. On a peer that
// exchanges a few dozen frames a second at rest, they outlived V8's young generation and were the largest
// single item an idle coordinator promoted to its old space, the garbage the idle trim (src/util/heap-trim.ts)
// collects. Heap sampling of 10 idle peers (5 December, objects that survived a scavenge, 90 s each): the
// coordinator promoted 5.2 MB without them against 5.4-5.9 MB with them, a follower 3.7 MB against 4.0 MB.
import { TransportError } from '../errors.js';

/**
 * The time limit of each step on one stream (writing a request, waiting for its reply, waiting for the next
 * request), with a timer per distinct limit that each step of that limit reschedules instead of creating
 * anew; a step's end only marks it over. When a step outlasts its limit, `expire` runs once (it aborts the
 * stream, which fails the step's read or write); `expired` tells that failure from others.
 */
export class Watchdog {
  readonly #expire: () => void;
  readonly #timers = new Map<number, NodeJS.Timeout>();
  /** The limit of the step under way, or undefined between steps. */
  #step: number | undefined;
  #expired = false;

  constructor(expire: () => void) {
    this.#expire = expire;
  }

  get expired(): boolean {
    return this.#expired;
  }

  arm(ms: number): void {
    this.#step = ms;
    const timer = this.#timers.get(ms);
    if (timer !== undefined) {
      timer.refresh();
      return;
    }
    // A stream sees one or two limits (a caller's timeout; an answerer's wait and write): more means a caller
    // varies its timeout, whose old timers are let go.
    if (this.#timers.size >= MAX_TIMERS) this.#clearTimers();
    const fresh = setTimeout(() => this.#fire(ms), ms);
    fresh.unref();
    this.#timers.set(ms, fresh);
  }

  /** The step is over in time. Its timer stays scheduled (rescheduling it is cheaper) and fires for nothing unless re-armed first. */
  disarm(): void {
    this.#step = undefined;
  }

  /** The stream is done with: no more steps. */
  stop(): void {
    this.#step = undefined;
    this.#clearTimers();
  }

  #fire(ms: number): void {
    if (this.#step !== ms) return; // a timer of an earlier step, or none under way
    this.#step = undefined;
    this.#expired = true;
    this.#expire();
  }

  #clearTimers(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}

const MAX_TIMERS = 4;

/** An AbortSignal that aborts after `ms` unless cleared first: for dialing, where libp2p takes a signal. */
export function deadline(ms: number): { readonly signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TransportError('TRANSPORT_TIMEOUT', `no answer within ${ms} ms`)), ms);
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
