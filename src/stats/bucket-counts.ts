// The hot-path side of HDR recording: counts in the very buckets of an HdrHistogram with 1 µs lowest
// discernible value and 3 significant digits (sub-buckets of 2048, half 1024), without the bookkeeping
// of a full recordValue. Counts move into a real histogram when a delta is cut; the result is the same
// histogram, bucket for bucket, as recording each value directly (a test checks this).
import type { Histogram } from './histogram.js';
import { HDR_HIGHEST_US, HDR_LOWEST_US } from './histogram.js';

const SUB_BUCKET_HALF_MAGNITUDE = 10;
const SUB_BUCKET_HALF = 1 << SUB_BUCKET_HALF_MAGNITUDE;
const SUB_BUCKET_MASK = 2 * SUB_BUCKET_HALF - 1;

/** Bucket index of a value in microseconds (an integer from 1 to 2^31). */
export function bucketOf(us: number): number {
  const bucket = 21 - Math.clz32(us | SUB_BUCKET_MASK);
  return ((bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE) + (us >>> bucket) - SUB_BUCKET_HALF;
}

/** The lowest value that falls in a bucket. */
export function bucketValue(index: number): number {
  let bucket = (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  let sub = (index & (SUB_BUCKET_HALF - 1)) + SUB_BUCKET_HALF;
  if (bucket < 0) {
    sub -= SUB_BUCKET_HALF;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

export const BUCKETS = bucketOf(HDR_HIGHEST_US) + 1;

/** Microseconds for a duration in milliseconds, clamped to the histogram's range. */
export function toMicros(ms: number): number {
  const us = Math.round(ms * 1000);
  return us < HDR_LOWEST_US ? HDR_LOWEST_US : us > HDR_HIGHEST_US ? HDR_HIGHEST_US : us;
}

/** The touched range of some counts, as plain data that crosses threads (structured clone). */
export interface RawCounts {
  lo: number;
  counts: Float64Array;
}

export class BucketCounts {
  readonly counts = new Float64Array(BUCKETS);
  total = 0;
  /** The touched range [lo, hi], so that reading and clearing skip the empty buckets. */
  lo = BUCKETS;
  hi = -1;

  recordBucket(index: number): void {
    this.addCount(index, 1);
  }

  /** Adds `n` to one bucket's count. */
  addCount(index: number, n: number): void {
    this.counts[index]! += n;
    this.total += n;
    if (index < this.lo) this.lo = index;
    if (index > this.hi) this.hi = index;
  }

  /** Adds another's counts to these. */
  add(other: BucketCounts): void {
    if (other.total === 0) return;
    const mine = this.counts;
    const theirs = other.counts;
    for (let i = other.lo; i <= other.hi; i++) mine[i]! += theirs[i]!;
    this.total += other.total;
    if (other.lo < this.lo) this.lo = other.lo;
    if (other.hi > this.hi) this.hi = other.hi;
  }

  /** Adds every count to `histogram` (this is left as it is). */
  addTo(histogram: Histogram): void {
    const counts = this.counts;
    for (let i = this.lo; i <= this.hi; i++) {
      const n = counts[i]!;
      if (n > 0) histogram.recordValueWithCount(bucketValue(i), n);
    }
  }

  /** A copy of the touched range; null when empty. */
  toRaw(): RawCounts | null {
    return this.total === 0 ? null : { lo: this.lo, counts: this.counts.slice(this.lo, this.hi + 1) };
  }

  /** Adds counts taken with toRaw (possibly in another thread). */
  addRaw(raw: RawCounts | null): void {
    if (raw === null) return;
    const mine = this.counts;
    const theirs = raw.counts;
    let total = 0;
    for (let i = 0; i < theirs.length; i++) {
      const n = theirs[i]!;
      mine[raw.lo + i]! += n;
      total += n;
    }
    if (total === 0) return;
    this.total += total;
    if (raw.lo < this.lo) this.lo = raw.lo;
    if (raw.lo + theirs.length - 1 > this.hi) this.hi = raw.lo + theirs.length - 1;
  }

  /** Value (µs, a bucket's lowest) at percentile p (0-100); 0 when empty. Walks only the touched range. */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const wanted = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = this.lo; i <= this.hi; i++) {
      seen += this.counts[i]!;
      if (seen >= wanted) return bucketValue(i);
    }
    return bucketValue(this.hi);
  }

  clear(): void {
    if (this.total === 0) return;
    this.counts.fill(0, this.lo, this.hi + 1);
    this.total = 0;
    this.lo = BUCKETS;
    this.hi = -1;
  }
}
