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
import { Backlog } from './backlog.js';
import type { Fence } from './fence.js';

export interface OpenModelOptions {
  /** performance.now() time of the run's start. */
  startMs: number;
  maxInFlight: number;
  maxLatenessMs: number;
  /** Arrivals due this long after a tick go out with it (never before their due time minus this). */
  aheadMs: number;
  segment: Segment;
  weights: Float64Array;
  /** A fenced run's lease (fence.ts): what it may send, and whose an arrival it may not send was. */
  fence?: Fence;
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
    sender.onFree = (later) => {
      if (!later && this.#backlog.size > 0) this.drain(performance.now());
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
    const fence = this.#opts.fence;
    while (this.#k < total && this.#nextDue <= until) {
      // Ahead only within a held lease: an arrival the fence would refuse now waits for its due time.
      if (fence && this.#nextDue > now && !fence.may(this.#nextDue, now)) break;
      const k = ++this.#k;
      const due = this.#nextDue;
      this.#nextDue = k < total ? startMs + dueMs(this.#profile, k + 1) : Infinity;
      while (this.#pending.length > 0 && this.#pending[0]!.at <= due) this.#segment = this.#pending.shift()!.segment;
      if (!ownsArrival(this.#segment, k)) continue;
      const target = pickTarget(k, weights);
      if (fence && !fence.may(due, now)) {
        this.#unheld(target, due);
        continue;
      }
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
    const { maxInFlight, maxLatenessMs, fence } = this.#opts;
    while (backlog.size > 0) {
      const due = backlog.headDue();
      const target = backlog.headTarget();
      if (now - due > maxLatenessMs || (fence && !fence.may(due, now))) {
        backlog.shift();
        this.#recorder.drop(target, due);
      } else if (this.#sender.inFlight < maxInFlight) {
        backlog.shift();
        this.#sender.send(target, due, now);
      } else break;
    }
  }

  /** An arrival due while the share was not held: dropped if surely its own, kept aside if that is not known yet. */
  #unheld(target: number, due: number): void {
    const fate = this.#opts.fence!.fate(due);
    if (fate === 'doubt') this.#opts.fence!.doubt(due, target);
    else if (fate === 'drop') {
      this.#recorder.schedule(target);
      this.#recorder.drop(target, due);
    }
  }

  /** Counts as dropped the arrivals kept aside that are now known to have been its own (after a grant or a release). */
  settle(): void {
    this.#opts.fence?.settle((target, due) => {
      this.#recorder.schedule(target);
      this.#recorder.drop(target, due);
    });
  }

  /** At the planned end: the arrivals still kept aside count as dropped (see Fence.settleAll). */
  settleAll(): void {
    this.#opts.fence?.settleAll((target, due) => {
      this.#recorder.schedule(target);
      this.#recorder.drop(target, due);
    });
  }

  /** Counts every waiting arrival as dropped (on stop: they were due and never sent). */
  dropBacklog(): void {
    while (this.#backlog.size > 0) {
      this.#recorder.drop(this.#backlog.headTarget(), this.#backlog.headDue());
      this.#backlog.shift();
    }
  }
}
