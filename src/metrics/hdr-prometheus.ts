// A Prometheus histogram read from HDR histograms: the engine already records every latency in HDR, so
// the cumulative bucket counts are computed at scrape time instead of observing each request twice.
import type { Histogram } from '../stats/index.js';

/** Bucket upper bounds in seconds (latency of HTTP requests under load: 1 ms to 10 s). */
export const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface IterationValue {
  valueIteratedTo: number;
  countAtValueIteratedTo: number;
}
interface Iterable {
  recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): IterationValue };
}

export interface PromBuckets {
  /** Cumulative counts per bound (`le`), the last one +Inf. */
  buckets: { le: string; count: number }[];
  sum: number;
  count: number;
}

/** Cumulative counts of an HDR histogram of microseconds at the given bounds (seconds). */
export function promBuckets(histogram: Histogram, boundsS: readonly number[] = LATENCY_BUCKETS_S): PromBuckets {
  const counts = new Array<number>(boundsS.length).fill(0);
  let sumUs = 0;
  if (histogram.totalCount > 0) {
    const it = (histogram as unknown as Iterable).recordedValuesIterator;
    it.reset();
    while (it.hasNext()) {
      const v = it.next();
      sumUs += v.valueIteratedTo * v.countAtValueIteratedTo;
      const s = v.valueIteratedTo / 1e6;
      const i = boundsS.findIndex((b) => s <= b);
      if (i >= 0) counts[i]! += v.countAtValueIteratedTo;
    }
  }
  let running = 0;
  const buckets = boundsS.map((b, i) => ({ le: String(b), count: (running += counts[i]!) }));
  buckets.push({ le: '+Inf', count: histogram.totalCount });
  return { buckets, sum: sumUs / 1e6, count: histogram.totalCount };
}
