// Spare count arrays and histograms of this thread (module state is per thread: each load worker has
// its own), reused from run to run. Each is a typed array of about 145 KB; allocated per run and left to
// the garbage collector, their freed backing stores stayed behind in glibc's per-thread malloc arenas,
// and a peer's RSS grew by 65 MB over 1,000 small executions while its heaps stayed flat (issue 9).
// Whoever takes one gives it back once nothing refers to it any more; what is given back is cleared
// first, so a taker always gets an empty one.
import { BucketCounts } from './bucket-counts.js';
import { createHistogram, type Histogram } from './histogram.js';

/** Most spares kept per thread: a one-target run takes about a dozen count arrays, a worker's part four. */
export const MAX_SPARE_COUNTS = 32;
export const MAX_SPARE_HISTOGRAMS = 4;

const spareCounts: BucketCounts[] = [];
const spareHistograms: Histogram[] = [];
let countsCreated = 0;
let histogramsCreated = 0;

/** Empty counts: a spare if there is one. */
export function takeCounts(): BucketCounts {
  const spare = spareCounts.pop();
  if (spare !== undefined) return spare;
  countsCreated++;
  return new BucketCounts();
}

/** Counts nothing refers to any more: cleared and kept for the next taker (dropped when enough are kept). */
export function giveBackCounts(counts: BucketCounts): void {
  counts.clear();
  if (spareCounts.length < MAX_SPARE_COUNTS && !spareCounts.includes(counts)) spareCounts.push(counts);
}

/** An empty 64-bit histogram of the usual range: a spare if there is one. */
export function takeHistogram(): Histogram {
  const spare = spareHistograms.pop();
  if (spare !== undefined) return spare;
  histogramsCreated++;
  return createHistogram(64);
}

export function giveBackHistogram(histogram: Histogram): void {
  histogram.reset();
  if (spareHistograms.length < MAX_SPARE_HISTOGRAMS && !spareHistograms.includes(histogram)) spareHistograms.push(histogram);
}

/** `fn` with a borrowed empty histogram, given back when it returns: `fn` must not keep it. */
export function withHistogram<T>(fn: (histogram: Histogram) => T): T {
  const histogram = takeHistogram();
  try {
    return fn(histogram);
  } finally {
    giveBackHistogram(histogram);
  }
}

/** What this thread's pools hold and have ever created (for tests and measurements). */
export function poolStats(): { spareCounts: number; countsCreated: number; spareHistograms: number; histogramsCreated: number } {
  return { spareCounts: spareCounts.length, countsCreated, spareHistograms: spareHistograms.length, histogramsCreated };
}
