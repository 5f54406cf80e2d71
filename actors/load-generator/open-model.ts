// Open model: arrival k is due at start + timeOf(k) whatever the responses do. Each tick releases every
// arrival whose time has passed, and those due within `aheadMs` after it, so that one timer wake-up sends
// a few arrivals instead of one: a wake-up of an idle process costs about as much CPU as a request, and
// ticking once per arrival made pacing cost 4× a bursty tool's. Arrivals over max_in_flight wait in a
// backlog and are dropped (counted) once later than max_lateness. Latency is measured from the due time
// (from the send, when that came first), so waiting shows in it.
import type { Recorder } from '../../src/stats/index.js';
import type { RateProfile } from '../../src/schedule/rate-profile.js';
import { dueMs } from '../../src/schedule/arrivals.js';
import type { Segment } from '../../src/execution/segment.js';
import { ownsArrival, pickTarget } from './segment.js';
import type { Sender } from './sender.js';

/** FIFO of (due time, target) pairs in growable typed arrays. */
class Backlog {
  #due = new Float64Array(256);
  #target = new Int32Array(256);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(due: number, target: number): void {
    if (this.#size === this.#due.length) this.#grow();
    const at = (this.#head + this.#size) % this.#due.length;
    this.#due[at] = due;
    this.#target[at] = target;
    this.#size++;
  }

  headDue(): number {
    return this.#due[this.#head]!;
  }

  headTarget(): number {
    return this.#target[this.#head]!;
  }

  shift(): void {
    this.#head = (this.#head + 1) % this.#due.length;
    this.#size--;
  }

  #grow(): void {
    const due = new Float64Array(this.#due.length * 2);
    const target = new Int32Array(this.#due.length * 2);
    for (let i = 0; i < this.#size; i++) {
      const from = (this.#head + i) % this.#due.length;
      due[i] = this.#due[from]!;
      target[i] = this.#target[from]!;
    }
    this.#due = due;
    this.#target = target;
    this.#head = 0;
  }
}

export interface OpenModelOptions {
  /** performance.now() time of the run's start. */
  startMs: number;
  maxInFlight: number;
  maxLatenessMs: number;
  /** Arrivals due this long after a tick go out with it (never before their due time minus this). */
  aheadMs: number;
  segment: Segment;
  weights: Float64Array;
}

export class OpenModel {
  readonly #profile: RateProfile;
  readonly #sender: Sender;
  readonly #recorder: Recorder;
  readonly #opts: OpenModelOptions;
  readonly #backlog = new Backlog();
  #segment: Segment;
  /** Segment changes waiting for their due time, earliest first. */
  #pending: { at: number; segment: Segment }[] = [];
  #k = 0;
  #nextDue: number;

  constructor(profile: RateProfile, sender: Sender, recorder: Recorder, opts: OpenModelOptions) {
    this.#profile = profile;
    this.#sender = sender;
    this.#recorder = recorder;
    this.#opts = opts;
    this.#segment = opts.segment;
    this.#nextDue = profile.total > 0 ? opts.startMs + dueMs(profile, 1) : Infinity;
    sender.onFree = (reentrant) => {
      if (!reentrant && this.#backlog.size > 0) this.drain(performance.now());
    };
  }

  /** Every arrival released and none waiting. */
  get finished(): boolean {
    return this.#k >= this.#profile.total && this.#backlog.size === 0;
  }

  get released(): number {
    return this.#k;
  }

  /** performance.now() time at which the loop next has something to do (an arrival due, a waiting one too late). */
  nextWake(): number {
    const backlog = this.#backlog;
    return backlog.size > 0 ? Math.min(this.#nextDue, backlog.headDue() + this.#opts.maxLatenessMs) : this.#nextDue;
  }

  /** Applies to arrivals due at or after `atMs` (performance.now() time); at once when absent. */
  setSegment(segment: Segment, atMs = -Infinity): void {
    this.#pending.push({ at: atMs, segment });
    this.#pending.sort((a, b) => a.at - b.at);
  }

  tick(now: number): void {
    const { startMs, maxInFlight, maxLatenessMs, weights } = this.#opts;
    const total = this.#profile.total;
    const sender = this.#sender;
    const until = now + this.#opts.aheadMs;
    while (this.#k < total && this.#nextDue <= until) {
      const k = ++this.#k;
      const due = this.#nextDue;
      this.#nextDue = k < total ? startMs + dueMs(this.#profile, k + 1) : Infinity;
      while (this.#pending.length > 0 && this.#pending[0]!.at <= due) this.#segment = this.#pending.shift()!.segment;
      if (!ownsArrival(this.#segment, k)) continue;
      const target = pickTarget(k, weights);
      this.#recorder.schedule(target);
      if (now - due > maxLatenessMs) this.#recorder.drop(target, due);
      else if (this.#backlog.size === 0 && sender.inFlight < maxInFlight) sender.send(target, due, now);
      else this.#backlog.push(due, target);
    }
    this.drain(now);
  }

  /** Sends waiting arrivals while there is room; drops those that waited too long. */
  drain(now: number): void {
    const backlog = this.#backlog;
    const { maxInFlight, maxLatenessMs } = this.#opts;
    while (backlog.size > 0) {
      const due = backlog.headDue();
      const target = backlog.headTarget();
      if (now - due > maxLatenessMs) {
        backlog.shift();
        this.#recorder.drop(target, due);
      } else if (this.#sender.inFlight < maxInFlight) {
        backlog.shift();
        this.#sender.send(target, due, now);
      } else break;
    }
  }

  /** Counts every waiting arrival as dropped (on stop: they were due and never sent). */
  dropBacklog(): void {
    while (this.#backlog.size > 0) {
      this.#recorder.drop(this.#backlog.headTarget(), this.#backlog.headDue());
      this.#backlog.shift();
    }
  }
}
