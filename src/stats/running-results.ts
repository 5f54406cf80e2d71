// A run's own results since its start, kept as each delta is cut: bucket counts added in place (no
// decoding, no allocation), per-second histograms kept as the encoded fragments of each delta and
// merged only when results are read. Equal to the fold of the run's deltas. Its counts come from this
// thread's pool and go back to it with release().
import type { BucketCounts } from './bucket-counts.js';
import { encodeCounts, sumEncoded } from './encoded.js';
import { createHistogram, type Histogram } from './histogram.js';
import type { Counters, SecondDelta } from './delta.js';
import type { FrozenResults } from './frozen-results.js';
import { giveBackCounts, takeCounts } from './pool.js';
import { addCounters, emptyCounters, type LoadResults, type SecondResults, type SourceProgress, type TargetResults } from './results.js';

interface SecondParts {
  requests: number;
  errors: number;
  dropped: number;
  fragments: string[];
}

function histogramOf(counts: BucketCounts): Histogram {
  const h = createHistogram(64);
  counts.addTo(h);
  return h;
}

export class RunningResults {
  readonly #runId: string;
  #totals = emptyCounters();
  readonly #latency = takeCounts();
  readonly #service = takeCounts();
  readonly #lateness = takeCounts();
  readonly #targets = new Map<number, { counters: Counters; latency: BucketCounts; service: BucketCounts }>();
  readonly #seconds = new Map<number, SecondParts>();
  #seq = 0;
  #final = false;

  constructor(runId: string) {
    this.#runId = runId;
  }

  /** One target's share of a delta; the run's totals follow from the targets'. */
  addTarget(index: number, counters: Counters, latency: BucketCounts, service: BucketCounts): void {
    let t = this.#targets.get(index);
    if (t === undefined) {
      t = { counters: emptyCounters(), latency: takeCounts(), service: takeCounts() };
      this.#targets.set(index, t);
    }
    t.counters = addCounters(t.counters, counters);
    this.#totals = addCounters(this.#totals, counters);
    t.latency.add(latency);
    t.service.add(service);
    this.#latency.add(latency);
    this.#service.add(service);
  }

  addLateness(lateness: BucketCounts): void {
    this.#lateness.add(lateness);
  }

  addSeconds(seconds: readonly SecondDelta[]): void {
    for (const s of seconds) {
      const old = this.#seconds.get(s.t);
      if (old === undefined) {
        this.#seconds.set(s.t, { requests: s.requests, errors: s.errors, dropped: s.dropped, fragments: s.latency === '' ? [] : [s.latency] });
        continue;
      }
      old.requests += s.requests;
      old.errors += s.errors;
      old.dropped += s.dropped;
      if (s.latency !== '') old.fragments.push(s.latency);
    }
  }

  /** Totals and latency so far, without copying anything (for a progress line). */
  get totals(): Counters {
    return this.#totals;
  }

  get latencyCounts(): BucketCounts {
    return this.#latency;
  }

  /** Marks delta `seq` as folded in. */
  cut(seq: number, final: boolean): void {
    this.#seq = seq;
    this.#final ||= final;
  }

  /** Gives every count array back to this thread's pool; the instance is not used again. */
  release(): void {
    for (const counts of [this.#latency, this.#service, this.#lateness]) giveBackCounts(counts);
    for (const t of this.#targets.values()) {
      giveBackCounts(t.latency);
      giveBackCounts(t.service);
    }
    this.#targets.clear();
  }

  #sources(): Record<string, SourceProgress> {
    const tally = { requests: this.#totals.requests, dropped: this.#totals.dropped, scheduled: this.#totals.scheduled };
    return this.#seq > 0 ? { [this.#runId]: { upTo: this.#seq, extra: [], final: this.#final, tally } } : {};
  }

  #secondsResults(): Record<number, SecondResults> {
    const seconds: Record<number, SecondResults> = {};
    for (const [t, s] of this.#seconds) {
      if (s.fragments.length > 1) s.fragments = [sumEncoded(s.fragments)];
      seconds[t] = { requests: s.requests, errors: s.errors, dropped: s.dropped, latency: s.fragments[0] ?? '' };
    }
    return seconds;
  }

  /** A snapshot (copies, safe to keep) in the shape of a fold of this run's deltas. */
  toResults(): LoadResults {
    const targets: Record<number, TargetResults> = {};
    for (const [index, t] of this.#targets) targets[index] = { counters: t.counters, latency: histogramOf(t.latency), service: histogramOf(t.service) };
    const seconds = this.#secondsResults();
    return { sources: this.#sources(), totals: this.#totals, latency: histogramOf(this.#latency), service: histogramOf(this.#service), lateness: histogramOf(this.#lateness), targets, seconds };
  }

  /** `freezeResults(this.toResults())`, encoded straight from the counts. */
  toFrozen(): FrozenResults {
    const targets: FrozenResults['targets'] = {};
    for (const [index, t] of this.#targets) targets[index] = { counters: t.counters, latency: encodeCounts(t.latency), service: encodeCounts(t.service) };
    const seconds = this.#secondsResults();
    return { sources: this.#sources(), totals: this.#totals, latency: encodeCounts(this.#latency), service: encodeCounts(this.#service), lateness: encodeCounts(this.#lateness), targets, seconds };
  }
}
