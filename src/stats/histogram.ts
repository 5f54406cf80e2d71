// HDR histograms of microseconds (1 µs to 120 s, 3 significant digits). They travel encoded and are merged
// by adding counts, so percentiles of merged results are exact, never averaged.
// The library's modules, not its index: the index also loads its log writer, which builds an
// Intl.NumberFormat when loaded, and the first Intl object of a process costs 20-50 ms of start-up (ICU).
import type { Histogram } from 'hdr-histogram-js';
import { build } from 'hdr-histogram-js/dist/HistogramBuilder.js';
import { encodeIntoCompressedBase64 } from 'hdr-histogram-js/dist/encoding.js';

export type { Histogram };

/** Latency figures in milliseconds. */
export interface LatencyFigures {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

export const HDR_LOWEST_US = 1;
export const HDR_HIGHEST_US = 120_000_000;
export const HDR_DIGITS = 3;

/** A fixed-range histogram: 32-bit counts for recording, 64-bit for accumulating. */
export function createHistogram(bits: 32 | 64 = 32): Histogram {
  return build({
    lowestDiscernibleValue: HDR_LOWEST_US,
    highestTrackableValue: HDR_HIGHEST_US,
    numberOfSignificantValueDigits: HDR_DIGITS,
    bitBucketSize: bits,
    autoResize: false,
  });
}

/** Records a duration given in milliseconds, clamped to the histogram's range. */
export function recordMs(histogram: Histogram, ms: number): void {
  let us = Math.round(ms * 1000);
  if (us < HDR_LOWEST_US) us = HDR_LOWEST_US;
  else if (us > HDR_HIGHEST_US) us = HDR_HIGHEST_US;
  histogram.recordValue(us);
}

/** Compressed base64 (HdrHistogram's own format); '' for an empty histogram. */
export function encodeHistogram(histogram: Histogram): string {
  return histogram.totalCount === 0 ? '' : encodeIntoCompressedBase64(histogram);
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

/** What the counts array walk needs of hdr-histogram-js's histograms (public members its Histogram type leaves out). */
interface CountsIndexed {
  countsArrayLength: number;
  subBucketHalfCount: number;
  unitMagnitude: number;
  getCountAtIndex(index: number): number;
}

/**
 * The library's `mean`, to the last bit, by walking the counts array once: its getter drives an iterator
 * object through every slot, 3-10 ms per histogram, most of the cost of building a report. The terms and
 * their order are the library's: slot i holds values from `valueFromIndex(i)` over a range of `size`, and
 * counts at the median of its range (`medianEquivalentValue(highestEquivalentValue(value))`).
 */
export function meanOf(histogram: Histogram): number {
  if (histogram.totalCount === 0) return 0;
  const h = histogram as unknown as CountsIndexed;
  if (typeof h.getCountAtIndex !== 'function' || typeof h.subBucketHalfCount !== 'number') return histogram.mean;
  const half = h.subBucketHalfCount;
  let total = 0;
  // The library's iterator stops at the last recorded value too: the slots above it are all empty.
  let left = histogram.totalCount;
  for (let i = 0, n = h.countsArrayLength; i < n && left > 0; i++) {
    const count = h.getCountAtIndex(i);
    if (count === 0) continue;
    left -= count;
    let bucket = Math.floor(i / half) - 1;
    let sub = (i % half) + half;
    if (bucket < 0) {
      sub -= half;
      bucket = 0;
    }
    const size = 2 ** (bucket + h.unitMagnitude);
    total += (sub * size + Math.floor(size / 2)) * count;
  }
  return total / histogram.totalCount;
}

/** What the percentile walk needs besides: the library's own conversions from a slot to its values. */
interface PercentileIndexed extends CountsIndexed {
  valueFromIndex(index: number): number;
  lowestEquivalentValue(value: number): number;
  highestEquivalentValue(value: number): number;
}

/** The count percentile `p` must reach, computed as the library's getValueAtPercentile does. */
function countAtPercentile(p: number, total: number): number {
  const fp = (Math.min(p, 100) / 100) * total;
  const ulp = Math.pow(2, Math.floor(Math.log2(fp)) - 52);
  return Math.max(Math.ceil(fp - ulp), 1);
}

/**
 * The library's getValueAtPercentile for each of `ps`, to the last bit, in one walk of the counts array
 * instead of one per percentile (each a walk of ~20,000 slots that V8 then optimizes on another thread).
 */
export function valuesAtPercentiles(histogram: Histogram, ps: readonly number[]): number[] {
  const h = histogram as unknown as PercentileIndexed;
  if (typeof h.getCountAtIndex !== 'function' || typeof h.valueFromIndex !== 'function') return ps.map((p) => histogram.getValueAtPercentile(p));
  const out = ps.map(() => 0);
  const wanted = ps.map((p, i) => ({ i, lowest: p === 0, need: countAtPercentile(p, histogram.totalCount) })).sort((a, b) => a.need - b.need);
  let next = 0;
  let total = 0;
  for (let i = 0, n = h.countsArrayLength; i < n && next < wanted.length; i++) {
    total += h.getCountAtIndex(i);
    while (next < wanted.length && total >= wanted[next]!.need) {
      const w = wanted[next++]!;
      const value = h.valueFromIndex(i);
      out[w.i] = w.lowest ? h.lowestEquivalentValue(value) : h.highestEquivalentValue(value);
    }
  }
  return out;
}

/** Percentile at `p` (0-100) in milliseconds; 0 when empty. */
export function percentileMs(histogram: Histogram, p: number): number {
  return histogram.totalCount === 0 ? 0 : round3(histogram.getValueAtPercentile(p) / 1000);
}

/** min, mean, p50...p999, max in milliseconds (3 decimals); zeros when empty. */
export function latencyFigures(histogram: Histogram): LatencyFigures {
  if (histogram.totalCount === 0) return { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  // Bucket bounds rather than raw extremes: the same whether recorded here or decoded from a delta.
  const [min, p50, p90, p95, p99, p999, max] = valuesAtPercentiles(histogram, [0, 50, 90, 95, 99, 99.9, 100]).map((us) => round3(us / 1000));
  return { min: min!, mean: round3(meanOf(histogram) / 1000), p50: p50!, p90: p90!, p95: p95!, p99: p99!, p999: p999!, max: max! };
}
