// Open model: arrival k is due at start + timeOf(k) whatever the responses do. Each tick releases every
// arrival whose time has passed, and those due within `aheadMs` after it, so that one timer wake-up sends
// a few arrivals instead of one: a wake-up of an idle process costs about as much CPU as a request, and
// ticking once per arrival made pacing cost 4× a bursty tool's. Arrivals over max_in_flight wait in a
// backlog and are dropped (counted) once later than max_lateness. Latency is measured from the due time
// (from the send, when that came first), so waiting shows in it.
import type { Recorder } from '../../src/stats/index.js';
import type { RateProfile } from '../../src/schedule/rate-profile.js';
import { dueMs, firstArrivalFrom } from '../../src/schedule/arrivals.js';
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
  /** When the segment in force took effect (-Infinity: the run's own since the start). */
  #segmentAt = -Infinity;
  /** Segment changes waiting for their due time, earliest first. */
  #pending: { at: number; segment: Segment }[] = [];
  #k = 0;
  #nextDue: number;
  /** Due time of the last arrival released (-Infinity: none yet). */
  #lastDue = -Infinity;

  constructor(profile: RateProfile, sender: Sender, recorder: Recorder, opts: OpenModelOptions) {
    this.#profile = profile;
    this.#sender = sender;
    this.#recorder = recorder;
    this.#opts = opts;
    this.#segment = opts.segment;
    this.#nextDue = profile.total > 0 ? this.#dueOf(1) : Infinity;
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

  /** performance.now() due time of the next arrival to release (Infinity: none left). */
  get nextDue(): number {
    return this.#nextDue;
  }

  /** performance.now() time at which the loop next has something to do (an arrival due, a waiting one too late). */
  nextWake(): number {
    const backlog = this.#backlog;
    return backlog.size > 0 ? Math.min(this.#nextDue, backlog.headDue() + this.#opts.maxLatenessMs) : this.#nextDue;
  }

  /**
   * The performance.now() time to give a boundary `msFromStart` ms after the run's start (a segment's
   * `at`, the moment the share moved): the due time of the first arrival at or after it (Infinity when
   * none is). Compared with due times computed alike, every arrival falls on the side of it that the
   * coordinator's accounting puts it (src/schedule/arrivals.ts, in ms from the start): the start's time
   * added to a due time a hair before the boundary rounds onto it, which counted that arrival twice.
   */
  boundary(msFromStart: number): number {
    const k = firstArrivalFrom(this.#profile, msFromStart);
    return k <= this.#profile.total ? this.#dueOf(k) : Infinity;
  }

  /**
   * Applies to arrivals due at or after `atMs` (performance.now() time); at once when absent. A change
   * heard after arrivals due from `atMs` on were released (it came late: a starved loop, a slow control
   * plane) is applied from `atMs` all the same, so that the share's arrivals match the coordinator's
   * record of it (src/execution/accounting.ts): the arrivals it gained since then are released now, as
   * late ones (sent within max_lateness, else dropped). Those it lost were released already and stay
   * counted here: the coordinator only ever widens a share (actors/coordinator/executions/absorb.ts).
   * `now`: when the change is heard. A change older than the one in force is ignored.
   */
  setSegment(segment: Segment, atMs = -Infinity, now = atMs): void {
    if (atMs < this.#segmentAt) return;
    if (atMs === -Infinity || atMs > this.#lastDue) {
      this.#pending.push({ at: atMs, segment });
      this.#pending.sort((a, b) => a.at - b.at);
      return;
    }
    const old = this.#segment;
    this.#segment = segment;
    this.#segmentAt = atMs;
    this.#pending = this.#pending.filter((p) => p.at > atMs);
    let first = this.#k;
    while (first > 1 && this.#dueOf(first - 1) >= atMs) first--;
    for (let k = first; k <= this.#k; k++) {
      if (!ownsArrival(old, k) && ownsArrival(segment, k)) this.#admit(k, this.#dueOf(k), now);
    }
  }

  tick(now: number): void {
    const total = this.#profile.total;
    const until = now + this.#opts.aheadMs;
    const fence = this.#opts.fence;
    while (this.#k < total && this.#nextDue <= until) {
      // Ahead only within a held lease: an arrival the fence would refuse now waits for its due time.
      if (fence && this.#nextDue > now && !fence.may(this.#nextDue, now)) break;
      const due = this.#nextDue;
      const k = this.#release();
      if (ownsArrival(this.#segment, k)) this.#admit(k, due, now);
    }
    this.drain(now);
  }

  /**
   * Counts arrivals due before `until` that were never released as dropped (none is sent): a run stopped
   * at a known moment (its share released at `until`) owned them, and they were due and not sent.
   */
  closeAt(until: number): void {
    while (this.#k < this.#profile.total && this.#nextDue < until) {
      const due = this.#nextDue;
      const k = this.#release();
      if (!ownsArrival(this.#segment, k)) continue;
      const target = pickTarget(k, this.#opts.weights);
      this.#recorder.schedule(target);
      this.#recorder.drop(target, due);
    }
  }

  #dueOf(k: number): number {
    return this.#opts.startMs + dueMs(this.#profile, k);
  }

  /** Releases the next arrival (its number is returned) and puts in force the segment that applies to it. */
  #release(): number {
    const k = ++this.#k;
    const due = this.#nextDue;
    this.#lastDue = due;
    this.#nextDue = k < this.#profile.total ? this.#dueOf(k + 1) : Infinity;
    while (this.#pending.length > 0 && this.#pending[0]!.at <= due) {
      const next = this.#pending.shift()!;
      this.#segment = next.segment;
      this.#segmentAt = next.at;
    }
    return k;
  }

  /** Arrival k of this share, due at `due`: sent, kept waiting, dropped (late), or left to the fence. */
  #admit(k: number, due: number, now: number): void {
    const { maxInFlight, maxLatenessMs, weights, fence } = this.#opts;
    const target = pickTarget(k, weights);
    if (fence && !fence.may(due, now)) {
      this.#unheld(target, due);
      return;
    }
    this.#recorder.schedule(target);
    if (now - due > maxLatenessMs) this.#recorder.drop(target, due);
    else if (this.#backlog.size === 0 && this.#sender.inFlight < maxInFlight) this.#sender.send(target, due, now);
    else this.#backlog.push(due, target);
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

  /** At the end: how many arrivals are still kept aside, never told whose they were (see Fence.heldBack). */
  heldBack(): number {
    return this.#opts.fence?.heldBack() ?? 0;
  }

  /** Counts every waiting arrival as dropped (on stop: they were due and never sent). */
  dropBacklog(): void {
    while (this.#backlog.size > 0) {
      this.#recorder.drop(this.#backlog.headTarget(), this.#backlog.headDue());
      this.#backlog.shift();
    }
  }
}
