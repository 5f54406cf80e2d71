// A run's own results since its start, kept as each delta is cut: bucket counts added in place (no
// decoding, no allocation), per-second histograms kept as the encoded fragments of each delta and
// merged only when results are read. Equal to the fold of the run's deltas.
import { BucketCounts } from './bucket-counts.js';
import { createHistogram, sumOfEncoded, type Histogram } from './histogram.js';
import type { Counters, SecondDelta } from './delta.js';
import { addCounters, emptyCounters, type LoadResults, type SecondResults, type TargetResults } from './results.js';

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
  readonly #latency = new BucketCounts();
  readonly #service = new BucketCounts();
  readonly #lateness = new BucketCounts();
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
      t = { counters: emptyCounters(), latency: new BucketCounts(), service: new BucketCounts() };
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

  /** A snapshot (copies, safe to keep) in the shape of a fold of this run's deltas. */
  toResults(): LoadResults {
    const targets: Record<number, TargetResults> = {};
    for (const [index, t] of this.#targets) targets[index] = { counters: t.counters, latency: histogramOf(t.latency), service: histogramOf(t.service) };
    const seconds: Record<number, SecondResults> = {};
    for (const [t, s] of this.#seconds) {
      if (s.fragments.length > 1) s.fragments = [sumOfEncoded(s.fragments)];
      seconds[t] = { requests: s.requests, errors: s.errors, dropped: s.dropped, latency: s.fragments[0] ?? '' };
    }
    return {
      sources: this.#seq > 0 ? { [this.#runId]: { upTo: this.#seq, extra: [], final: this.#final, tally: { requests: this.#totals.requests, dropped: this.#totals.dropped, scheduled: this.#totals.scheduled } } } : {},
      totals: this.#totals,
      latency: histogramOf(this.#latency),
      service: histogramOf(this.#service),
      lateness: histogramOf(this.#lateness),
      targets,
      seconds,
    };
  }
}
