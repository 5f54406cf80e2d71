// Records each finished request into interval bucket counts and counters, and cuts them into numbered
// deltas. The hot path only increments preallocated arrays; histograms are filled, encoded and totals
// summed when a delta is cut.
import { bucketOf, toMicros } from './bucket-counts.js';
import type { RawSecond, RawTallies, RawTarget } from './raw-tallies.js';
import { encodeCounts } from './encoded.js';
import { ERROR_KINDS, type Counters, type ErrorKind, type ResultsDelta, type SecondDelta, type TargetDelta } from './delta.js';
import { freezeResults, type FrozenResults } from './frozen-results.js';
import { giveBackCounts, takeCounts } from './pool.js';
import { emptyCounters, emptyResults, mergeDelta, type LoadResults } from './results.js';
import { RunningResults } from './running-results.js';

/** Index into ERROR_KINDS; NO_ERROR for a success. */
export const NO_ERROR = -1;
export const ERROR_INDEX: Record<ErrorKind, number> = Object.fromEntries(ERROR_KINDS.map((k, i) => [k, i])) as Record<ErrorKind, number>;

const MAX_STATUS = 600;

class TargetTally {
  readonly latency = takeCounts();
  readonly service = takeCounts();
  readonly status = new Uint32Array(MAX_STATUS);
  /** The statuses counted since the last reset, so that a cut reads and clears those and not all 600. */
  readonly statusesSeen: number[] = [];
  readonly errors = new Float64Array(ERROR_KINDS.length);
  requests = 0;
  successes = 0;
  failures = 0;
  dropped = 0;
  scheduled = 0;
  bytesIn = 0;
  bytesOut = 0;

  /** Adds `n` responses of `status` (below MAX_STATUS). */
  count(status: number, n: number): void {
    if (this.status[status] === 0) this.statusesSeen.push(status);
    this.status[status]! += n;
  }

  get touched(): boolean {
    return this.requests > 0 || this.dropped > 0 || this.scheduled > 0;
  }

  counters(): Counters {
    const c = emptyCounters();
    c.requests = this.requests;
    c.successes = this.successes;
    c.failures = this.failures;
    c.dropped = this.dropped;
    c.scheduled = this.scheduled;
    c.bytes_in = this.bytesIn;
    c.bytes_out = this.bytesOut;
    // An object lists integer keys in ascending order, whatever the order they were seen in.
    for (const s of this.statusesSeen) c.status[String(s)] = this.status[s]!;
    ERROR_KINDS.forEach((kind, i) => {
      if (this.errors[i]! > 0) c.errors[kind] = this.errors[i]!;
    });
    return c;
  }

  reset(): void {
    this.latency.clear();
    this.service.clear();
    for (const s of this.statusesSeen) this.status[s] = 0;
    this.statusesSeen.length = 0;
    this.errors.fill(0);
    this.requests = this.successes = this.failures = this.dropped = this.scheduled = this.bytesIn = this.bytesOut = 0;
  }

  release(): void {
    giveBackCounts(this.latency);
    giveBackCounts(this.service);
  }
}

class SecondTally {
  readonly latency = takeCounts();
  t = 0;
  requests = 0;
  errors = 0;
  dropped = 0;
}

export interface RunProgress {
  requests: number;
  failures: number;
  dropped: number;
  p50Ms: number;
  p99Ms: number;
}

export class Recorder {
  readonly runId: string;
  readonly #origin: number;
  #seq = 0;
  readonly #targets: TargetTally[];
  readonly #seconds = new Map<number, SecondTally>();
  readonly #spareSeconds: SecondTally[] = [];
  #last: SecondTally | undefined;
  readonly #lateness = takeCounts();
  /** What the deltas cut so far add up to; made by the first cut (a worker's recorder never cuts one). */
  #running: RunningResults | undefined;
  #released = false;

  /** `originMs`: the run's start on the same clock as the times given to record (seconds are counted from it). */
  constructor(runId: string, targetCount: number, originMs: number) {
    this.runId = runId;
    this.#origin = originMs;
    this.#targets = Array.from({ length: targetCount }, () => new TargetTally());
  }

  /**
   * Gives its count arrays back to this thread's pool (see pool.ts): call once nothing more is recorded
   * and its results were taken. What comes in later is ignored; reading it again is an error.
   */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    for (const t of this.#targets) t.release();
    for (const s of [...this.#seconds.values(), ...this.#spareSeconds]) giveBackCounts(s.latency);
    this.#seconds.clear();
    this.#spareSeconds.length = 0;
    this.#last = undefined;
    giveBackCounts(this.#lateness);
    this.#running?.release();
  }

  #live(): void {
    if (this.#released) throw new Error(`recorder of ${this.runId} read after its release`);
  }

  #second(intendedMs: number): SecondTally {
    return this.#secondAt(intendedMs > this.#origin ? Math.floor((intendedMs - this.#origin) / 1000) : 0);
  }

  #secondAt(t: number): SecondTally {
    const last = this.#last;
    if (last !== undefined && last.t === t) return last;
    let tally = this.#seconds.get(t);
    if (tally === undefined) {
      tally = this.#spareSeconds.pop() ?? new SecondTally();
      tally.t = t;
      this.#seconds.set(t, tally);
    }
    this.#last = tally;
    return tally;
  }

  /**
   * A finished request. `status` 0 means no response; `error` is an ERROR_INDEX value or NO_ERROR.
   * Latency runs from the intended start (from the actual send when that came first: an arrival sent a
   * little ahead of its due time), service time from the actual send; both only when a response came.
   */
  response(target: number, intendedMs: number, sentMs: number, endMs: number, status: number, error: number, bytesIn: number, bytesOut: number): void {
    if (this.#released) return;
    const tally = this.#targets[target]!;
    const second = this.#second(intendedMs);
    tally.requests++;
    second.requests++;
    tally.bytesIn += bytesIn;
    tally.bytesOut += bytesOut;
    if (error === NO_ERROR) tally.successes++;
    else {
      tally.failures++;
      tally.errors[error]!++;
      second.errors++;
    }
    if (status > 0) {
      if (status < MAX_STATUS) tally.count(status, 1);
      const latency = bucketOf(toMicros(endMs - (sentMs < intendedMs ? sentMs : intendedMs)));
      tally.latency.recordBucket(latency);
      second.latency.recordBucket(latency);
      tally.service.recordBucket(bucketOf(toMicros(endMs - sentMs)));
    }
  }

  /** An arrival this run owns became due (closed model: a request is about to start). */
  schedule(target: number): void {
    if (this.#released) return;
    this.#targets[target]!.scheduled++;
  }

  /** A request handed to the client at `sentMs`, due at `intendedMs`: how late the sending loop was. */
  sent(intendedMs: number, sentMs: number): void {
    if (this.#released) return;
    this.#lateness.recordBucket(bucketOf(toMicros(sentMs - intendedMs)));
  }

  /** An arrival that could not start in time. */
  drop(target: number, intendedMs: number): void {
    if (this.#released) return;
    this.#targets[target]!.dropped++;
    this.#second(intendedMs).dropped++;
  }

  /** Everything since the previous delta, as the next numbered delta; the interval starts afresh. */
  takeDelta(final = false): ResultsDelta {
    this.#live();
    this.#seq++;
    const delta = this.#build(this.#seq, final);
    const running = (this.#running ??= new RunningResults(this.runId));
    for (const t of delta.targets) {
      const tally = this.#targets[t.index]!;
      running.addTarget(t.index, t.counters, tally.latency, tally.service);
      tally.reset();
    }
    running.addSeconds(delta.seconds);
    running.addLateness(this.#lateness);
    this.#lateness.clear();
    running.cut(this.#seq, final);
    for (const second of this.#seconds.values()) {
      second.latency.clear();
      second.requests = second.errors = second.dropped = 0;
      this.#spareSeconds.push(second);
    }
    this.#seconds.clear();
    this.#last = undefined;
    return delta;
  }

  /** What the next delta would hold, without cutting it (seq 0: never merge it into a shared fold). */
  peekDelta(): ResultsDelta {
    this.#live();
    return this.#build(0, false);
  }

  /** Whether anything was recorded since the last delta (what the next one would carry). */
  #pending(): boolean {
    if (this.#lateness.total > 0 || this.#targets.some((t) => t.touched)) return true;
    for (const s of this.#seconds.values()) if (s.requests > 0 || s.dropped > 0) return true;
    return false;
  }

  /**
   * Counts so far (cut or not) and latency percentiles of the deltas cut so far: what a progress line
   * shows, in time that does not grow with the run (no histogram is built or encoded).
   */
  progress(): RunProgress {
    this.#live();
    const totals = this.#running?.totals;
    let requests = totals?.requests ?? 0;
    let failures = totals?.failures ?? 0;
    let dropped = totals?.dropped ?? 0;
    for (const t of this.#targets) {
      requests += t.requests;
      failures += t.failures;
      dropped += t.dropped;
    }
    const latency = this.#running?.latencyCounts;
    return { requests, failures, dropped, p50Ms: (latency?.percentile(50) ?? 0) / 1000, p99Ms: (latency?.percentile(99) ?? 0) / 1000 };
  }

  /** Everything recorded so far (cut or not), equal to the fold of every delta taken plus the pending one. */
  results(): LoadResults {
    this.#live();
    const cut = this.#running?.toResults() ?? emptyResults();
    if (!this.#pending()) return cut;
    const merged = mergeDelta({ ...cut, sources: {} }, { ...this.peekDelta(), run_id: '', seq: 1 });
    return { ...merged, sources: cut.sources };
  }

  /** `freezeResults(this.results())`, encoded straight from the counts (no histogram built per figure). */
  frozenResults(): FrozenResults {
    this.#live();
    if (this.#pending()) return freezeResults(this.results());
    return this.#running?.toFrozen() ?? { sources: {}, totals: emptyCounters(), latency: '', service: '', lateness: '', targets: {}, seconds: {} };
  }

  #build(seq: number, final: boolean): ResultsDelta {
    const totals = emptyCounters();
    const targets: TargetDelta[] = [];
    const several = this.#targets.filter((t) => t.touched).length > 1;
    const sumLatency = several ? takeCounts() : undefined;
    const sumService = several ? takeCounts() : undefined;
    this.#targets.forEach((tally, index) => {
      if (!tally.touched) return;
      const counters = tally.counters();
      targets.push({ index, counters, latency: encodeCounts(tally.latency), service: encodeCounts(tally.service) });
      totals.requests += counters.requests;
      totals.successes += counters.successes;
      totals.failures += counters.failures;
      totals.dropped += counters.dropped;
      totals.scheduled += counters.scheduled;
      totals.bytes_in += counters.bytes_in;
      totals.bytes_out += counters.bytes_out;
      for (const [k, v] of Object.entries(counters.status)) totals.status[k] = (totals.status[k] ?? 0) + v;
      for (const [k, v] of Object.entries(counters.errors) as [ErrorKind, number][]) totals.errors[k] = (totals.errors[k] ?? 0) + v;
      sumLatency?.add(tally.latency);
      sumService?.add(tally.service);
    });
    // One target (the usual case): the totals' histograms are its own. Several: add their counts.
    let latency = targets[0]?.latency ?? '';
    let service = targets[0]?.service ?? '';
    if (sumLatency && sumService) {
      latency = encodeCounts(sumLatency);
      service = encodeCounts(sumService);
      giveBackCounts(sumLatency);
      giveBackCounts(sumService);
    }
    const seconds: SecondDelta[] = [];
    for (const s of this.#seconds.values()) {
      if (s.requests === 0 && s.dropped === 0) continue;
      seconds.push({ t: s.t, requests: s.requests, errors: s.errors, dropped: s.dropped, latency: encodeCounts(s.latency) });
    }
    seconds.sort((a, b) => a.t - b.t);
    const lateness = encodeCounts(this.#lateness);
    return { run_id: this.runId, seq, final, totals, latency, service, lateness, targets, seconds };
  }

  /**
   * Everything since the previous take, as raw counts (no encoding: cheap on the sending thread), and
   * the interval starts afresh. Another thread's Recorder adds them with absorb and cuts the deltas.
   */
  takeRaw(): RawTallies {
    this.#live();
    const targets: RawTarget[] = [];
    this.#targets.forEach((tally, index) => {
      if (!tally.touched) return;
      const status: number[] = [];
      for (const s of tally.statusesSeen) status.push(s, tally.status[s]!);
      targets.push({
        index,
        requests: tally.requests,
        successes: tally.successes,
        failures: tally.failures,
        dropped: tally.dropped,
        scheduled: tally.scheduled,
        bytesIn: tally.bytesIn,
        bytesOut: tally.bytesOut,
        status,
        errors: Array.from(tally.errors),
        latency: tally.latency.toRaw(),
        service: tally.service.toRaw(),
      });
      tally.reset();
    });
    const seconds: RawSecond[] = [];
    for (const s of this.#seconds.values()) {
      if (s.requests > 0 || s.dropped > 0) seconds.push({ t: s.t, requests: s.requests, errors: s.errors, dropped: s.dropped, latency: s.latency.toRaw() });
      s.latency.clear();
      s.requests = s.errors = s.dropped = 0;
      this.#spareSeconds.push(s);
    }
    this.#seconds.clear();
    this.#last = undefined;
    const lateness = this.#lateness.toRaw();
    this.#lateness.clear();
    return { targets, seconds, lateness };
  }

  /** Adds tallies taken with takeRaw (from a worker thread): they go out with the next delta. */
  absorb(raw: RawTallies): void {
    if (this.#released) return;
    for (const r of raw.targets) {
      const tally = this.#targets[r.index];
      if (tally === undefined) continue;
      tally.requests += r.requests;
      tally.successes += r.successes;
      tally.failures += r.failures;
      tally.dropped += r.dropped;
      tally.scheduled += r.scheduled ?? 0;
      tally.bytesIn += r.bytesIn;
      tally.bytesOut += r.bytesOut;
      for (let i = 0; i + 1 < r.status.length; i += 2) tally.count(r.status[i]!, r.status[i + 1]!);
      r.errors.forEach((n, i) => (tally.errors[i]! += n));
      tally.latency.addRaw(r.latency);
      tally.service.addRaw(r.service);
    }
    for (const r of raw.seconds) {
      const second = this.#secondAt(r.t);
      second.requests += r.requests;
      second.errors += r.errors;
      second.dropped += r.dropped;
      second.latency.addRaw(r.latency);
    }
    this.#lateness.addRaw(raw.lateness);
  }
}
