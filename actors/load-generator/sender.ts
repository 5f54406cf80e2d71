// Sends requests and records how they finished: the part of the hot path shared by both models.
import { ERROR_INDEX, NO_ERROR, type Recorder } from '../../src/stats/index.js';
import { Deadlines } from './deadlines.js';
import { Exchange, type ExchangeSink } from './exchange.js';
import type { HttpClient } from './http-client.js';

export class Sender implements ExchangeSink {
  inFlight = 0;
  /** True while dispatching: a completion reported now came synchronously and must not send again at once. */
  sending = false;
  /**
   * Called after each completion. `later` is true when the next send must wait for the run's timer: the
   * exchange failed inside dispatch itself, or failed without an answer (a refused connection must not
   * turn into a tight loop, and undici asserts that nothing is dispatched to a client while it fails its
   * queue: a closed-model user re-sending from that callback crashed the process).
   */
  onFree: (later: boolean) => void = () => {};
  /** Set when stopping: every failure from then on is an abort. */
  aborting = false;

  readonly #client: HttpClient;
  readonly #recorder: Recorder;
  readonly #spare: Exchange[] = [];
  readonly #deadlines: Deadlines;

  constructor(client: HttpClient, recorder: Recorder) {
    this.#client = client;
    this.#recorder = recorder;
    this.#deadlines = new Deadlines();
  }

  /** Aborts requests past their timeout; called from the run's timer loop. */
  expire(now: number): void {
    this.#deadlines.expire(now);
  }

  /** Counts a request as scheduled (closed model: each one a user starts). */
  schedule(target: number): void {
    this.#recorder.schedule(target);
  }

  /** When expire next has work to do. */
  get nextDeadline(): number {
    return this.#deadlines.nextCheck;
  }

  /** Sends a request due at `intended`; `now` is the current performance.now(). */
  send(target: number, intended: number, now: number): void {
    const exchange = (this.#spare.pop() ?? new Exchange(this)).reset(target, intended, now);
    this.#deadlines.add(exchange, exchange.sent + this.#client.targets[target]!.timeoutMs);
    this.#recorder.sent(intended, now);
    this.inFlight++;
    this.sending = true;
    try {
      this.#client.dispatch(exchange);
    } finally {
      this.sending = false;
    }
  }

  exchangeDone(ex: Exchange): void {
    this.#deadlines.remove(ex);
    this.#client.release(ex);
    const t = this.#client.targets[ex.target]!;
    let error = ex.error;
    if (error !== NO_ERROR && this.aborting) error = ERROR_INDEX.aborted;
    else if (error === NO_ERROR && t.ok[ex.status] !== 1) error = ERROR_INDEX.unexpected_status;
    const status = ex.error === NO_ERROR ? ex.status : 0;
    this.#recorder.response(ex.target, ex.intended, ex.sent, ex.ended, status, error, ex.bytesIn, ex.written ? t.bytesOut : 0);
    this.inFlight--;
    this.#spare.push(ex);
    this.onFree(this.sending || ex.error !== NO_ERROR);
  }
}
