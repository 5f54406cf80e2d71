// A run's own results since its start, kept in place as each delta is cut (no decoding, little
// allocation), so a run need not fold its own deltas. Equal to the fold of those deltas.
import { addEncodedHistograms, createHistogram, type Histogram } from './histogram.js';
import { addCounters, emptyCounters, type Counters, type LoadResults, type SecondDelta, type SecondResults, type TargetResults } from './results.js';

function copyOf(h: Histogram): Histogram {
  const c = createHistogram(64);
  if (h.totalCount > 0) c.add(h);
  return c;
}

export class RunningResults {
  readonly #runId: string;
  #totals = emptyCounters();
  readonly #latency = createHistogram(64);
  readonly #service = createHistogram(64);
  readonly #targets = new Map<number, { counters: Counters; latency: Histogram; service: Histogram }>();
  readonly #seconds = new Map<number, SecondResults>();
  #seq = 0;
  #final = false;

  constructor(runId: string) {
    this.#runId = runId;
  }

  addTarget(index: number, counters: Counters, latency: Histogram, service: Histogram): void {
    let t = this.#targets.get(index);
    if (t === undefined) {
      t = { counters: emptyCounters(), latency: createHistogram(64), service: createHistogram(64) };
      this.#targets.set(index, t);
    }
    t.counters = addCounters(t.counters, counters);
    if (latency.totalCount > 0) t.latency.add(latency);
    if (service.totalCount > 0) t.service.add(service);
  }

  addTotals(counters: Counters, latency: Histogram, service: Histogram): void {
    this.#totals = addCounters(this.#totals, counters);
    if (latency.totalCount > 0) this.#latency.add(latency);
    if (service.totalCount > 0) this.#service.add(service);
  }

  addSeconds(seconds: readonly SecondDelta[]): void {
    for (const s of seconds) {
      const old = this.#seconds.get(s.t);
      this.#seconds.set(
        s.t,
        old
          ? { requests: old.requests + s.requests, errors: old.errors + s.errors, dropped: old.dropped + s.dropped, latency: addEncodedHistograms(old.latency, s.latency) }
          : { requests: s.requests, errors: s.errors, dropped: s.dropped, latency: s.latency },
      );
    }
  }

  /** Marks delta `seq` as folded in. */
  cut(seq: number, final: boolean): void {
    this.#seq = seq;
    this.#final ||= final;
  }

  /** A snapshot (copies, safe to keep) in the shape of a fold of this run's deltas. */
  toResults(): LoadResults {
    const targets: Record<number, TargetResults> = {};
    for (const [index, t] of this.#targets) targets[index] = { counters: t.counters, latency: copyOf(t.latency), service: copyOf(t.service) };
    return {
      sources: this.#seq > 0 ? { [this.#runId]: { upTo: this.#seq, extra: [], final: this.#final } } : {},
      totals: this.#totals,
      latency: copyOf(this.#latency),
      service: copyOf(this.#service),
      targets,
      seconds: Object.fromEntries(this.#seconds),
    };
  }
}
