// Open model: arrival k is due at start + timeOf(k) whatever the responses do. Each tick releases every
// arrival whose time has passed, and those due within `aheadMs` after it, so that one timer wake-up sends
// a few arrivals instead of one: a wake-up of an idle process costs about as much CPU as a request, and
// ticking once per arrival made pacing cost 4× a bursty tool's. Arrivals over max_in_flight wait in a
// backlog and are dropped (counted) once later than max_lateness. Latency is measured from the due time
// (from the send, when that came first), so waiting shows in it.
// A loop that stalled (a collection, a compile job or another process on its core) finds arrivals already
// due: it catches up on them at CATCH_UP_PACE times the schedule's pace instead of sending them at once,
// so the target never sees a burst the plan did not ask for. Their lateness (send − due) is recorded as
// any other's, and none waits longer than the first of them did.
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

/**
 * How fast a stalled loop goes through the arrivals it finds due: twice the schedule's pace, a few at each
 * wake-up about a millisecond apart, so that a 10 ms bin of arrivals at the target holds about 2x its mean
 * while it catches up, as when it is on time (two wake-ups' windows in one bin), and a stall of d ms is
 * caught up d ms after it ends: 2d ms of the schedule are sent late (the first by d ms, the last by
 * almost nothing), which keeps the send lateness's p99 at 0 with a 45 ms stall in 10 s at 1,000 req/s.
 * Sent at once, that stall put 66 arrivals in one bin, 6.6x the mean (scripts/bench/pacing.ts,
 * 5 December); caught up at 1.5x, bins stayed at 2x but 3d ms of the schedule went out late. With the
 * tools' core taken for 45 ms in every run (pacing.ts --stall 45@5, 33 repetitions at 1,000 and 5,000
 * req/s on a peer's main thread, one worker and `node peer.js run`): largest bins 2.02-2.56x, against
 * 3.86-6.40x sent at once.
 */
export const CATCH_UP_PACE = 2;
/**
 * The loop stalled when a tick comes this much later than the time it was to send the next arrival. A
 * timer a few milliseconds late on a busy machine is not a stall: what it finds due goes out with the
 * tick's send-ahead window as always.
 */
export const CATCH_UP_AFTER_MS = 5;

/** A stalled loop's own clock over the schedule: it had reached due time `reach` at performance.now() time `at`. */
interface CatchUp {
  reach: number;
  at: number;
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
  /** Set while the loop catches up after a stall (see CATCH_UP_PACE). */
  #catchUp: CatchUp | undefined;

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

  /**
   * performance.now() due time of the next arrival to release, for the loop to wake a little before it
   * (Infinity: none left, or the loop is catching up after a stall and wakes when nextWake says).
   */
  get nextDue(): number {
    return this.#catchUp === undefined ? this.#nextDue : Infinity;
  }

  /** The loop is catching up after a stall. */
  get catchingUp(): boolean {
    return this.#catchUp !== undefined;
  }

  /** performance.now() time at which the loop next has something to do (an arrival to send, a waiting one too late). */
  nextWake(): number {
    const backlog = this.#backlog;
    const next = this.#nextSendAt();
    return backlog.size > 0 ? Math.min(next, backlog.headDue() + this.#opts.maxLatenessMs) : next;
  }

  /** When the next arrival is to go out: its due time, or when the catch-up reaches it. */
  #nextSendAt(): number {
    const c = this.#catchUp;
    return c === undefined ? this.#nextDue : c.at + (this.#nextDue - this.#opts.aheadMs - c.reach) / CATCH_UP_PACE;
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
    // Arrivals too late to send are dropped at once, not gone through at the catch-up's pace: that would
    // make the ones after them too late as well.
    while (this.#k < total && now - this.#nextDue > this.#opts.maxLatenessMs) this.#releaseAt(now);
    const until = this.#advance(now) + this.#opts.aheadMs;
    const fence = this.#opts.fence;
    while (this.#k < total && this.#nextDue <= until) {
      // Ahead only within a held lease: an arrival the fence would refuse now waits for its due time.
      if (fence && this.#nextDue > now && !fence.may(this.#nextDue, now)) break;
      this.#releaseAt(now);
    }
    this.drain(now);
  }

  /** Releases the next arrival at `now`, and admits it when it is this share's. */
  #releaseAt(now: number): void {
    const due = this.#nextDue;
    const k = this.#release();
    if (ownsArrival(this.#segment, k)) this.#admit(k, due, now);
  }

  /**
   * How far through the schedule the loop is at `now` (it sends what is due up to SEND_AHEAD_MS after):
   * `now` itself, unless it stalled. A tick more than CATCH_UP_AFTER_MS after the time it was to send the
   * next arrival comes after a stall: a catch-up starts that reaches that arrival and no more, and each
   * tick after moves it on by CATCH_UP_PACE times the time since the last, until it reaches `now`. A
   * second stall while catching up starts it over from the next arrival: it is not released at once.
   */
  #advance(now: number): number {
    if (now - this.#nextSendAt() > CATCH_UP_AFTER_MS) {
      this.#catchUp = { reach: this.#nextDue - this.#opts.aheadMs, at: now };
      return this.#catchUp.reach;
    }
    const c = this.#catchUp;
    if (c === undefined) return now;
    c.reach += CATCH_UP_PACE * (now - c.at);
    c.at = now;
    if (c.reach < now) return c.reach;
    this.#catchUp = undefined;
    return now;
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
