import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BucketCounts, BUCKETS, bucketOf, bucketValue, createHistogram, encodeHistogram, HDR_HIGHEST_US, toMicros } from '../../src/stats/index.js';

const EDGES = [1, 2, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 65_535, 65_536, 1_000_000, 2 ** 26 - 1, 2 ** 26, HDR_HIGHEST_US - 1, HDR_HIGHEST_US];

/** A histogram fed directly, and one fed through bucket counts, for the same values. */
function both(values: readonly number[]) {
  const direct = createHistogram(32);
  const counts = new BucketCounts();
  for (const v of values) {
    direct.recordValue(v);
    counts.recordBucket(bucketOf(v));
  }
  const via = createHistogram(32);
  counts.addTo(via);
  return { direct, via };
}

describe('bucket counts', () => {
  it('cover the histogram range', () => {
    expect(BUCKETS).toBeGreaterThan(bucketOf(HDR_HIGHEST_US));
    for (const v of EDGES) {
      expect(bucketValue(bucketOf(v))).toBeLessThanOrEqual(v);
      expect(bucketOf(bucketValue(bucketOf(v)))).toBe(bucketOf(v));
    }
    expect([toMicros(0), toMicros(-5), toMicros(1e9), toMicros(1.2345)]).toEqual([1, 1, HDR_HIGHEST_US, 1235]);
  });

  it('give the same histogram as recording each value (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 1, max: HDR_HIGHEST_US }), fc.integer({ min: 1, max: 5000 }), fc.constantFrom(...EDGES)), { minLength: 1, maxLength: 500 }), (values) => {
        const { direct, via } = both(values);
        expect(encodeHistogram(via)).toBe(encodeHistogram(direct));
        for (const p of [0, 50, 90, 99, 99.9, 100]) expect(via.getValueAtPercentile(p)).toBe(direct.getValueAtPercentile(p));
        expect(via.mean).toBe(direct.mean);
      }),
      { numRuns: 100 },
    );
  });
});
