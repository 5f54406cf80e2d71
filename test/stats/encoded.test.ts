// Encoded histograms added into an existing histogram give what the library's decode and add give,
// bucket for bucket; encodings of another range or precision take the library's own way.
import fc from 'fast-check';
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { addEncoded, createHistogram, decodeHistogram, encodeHistogram, HDR_HIGHEST_US, sumEncoded, withDecoded } from '../../src/stats/index.js';
import { BucketCounts, bucketOf } from '../../src/stats/bucket-counts.js';
import { encodeCounts } from '../../src/stats/encoded.js';

const libraryDecode = (e: string) => decodeFromCompressedBase64(e, 64, false, HDR_HIGHEST_US);

function encodingOf(values: readonly number[], counts: readonly number[] = []): string {
  const h = createHistogram(64);
  values.forEach((v, i) => h.recordValueWithCount(v, counts[i] ?? 1));
  return encodeHistogram(h);
}

const value = fc.oneof(fc.integer({ min: 1, max: HDR_HIGHEST_US }), fc.integer({ min: 1, max: 3000 }), fc.constantFrom(1, 1023, 1024, 2048, HDR_HIGHEST_US));

describe('encoded histograms', () => {
  it('add into a histogram exactly as the library decodes and adds (property)', () => {
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 300 }),
        fc.array(fc.integer({ min: 1, max: 2 ** 40 }), { maxLength: 300 }),
        fc.array(value, { maxLength: 50 }),
        (values, counts, base) => {
          const encoded = encodingOf(values, counts);
          const mine = createHistogram(64);
          const theirs = createHistogram(64);
          for (const v of base) {
            mine.recordValue(v);
            theirs.recordValue(v);
          }
          addEncoded(mine, encoded);
          if (encoded !== '') theirs.add(libraryDecode(encoded));
          expect(encodeHistogram(mine)).toBe(encodeHistogram(theirs));
          expect(mine.totalCount).toBe(theirs.totalCount);
          for (const p of [0, 50, 99, 100]) expect(mine.getValueAtPercentile(p)).toBe(theirs.getValueAtPercentile(p));
          if (encoded !== '') expect(encodeHistogram(decodeHistogram(encoded))).toBe(encodeHistogram(libraryDecode(encoded)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('written straight from bucket counts are the very strings the library writes (property)', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), fc.array(fc.integer({ min: 1, max: 2 ** 40 }), { maxLength: 300 }), (values, counts) => {
        const buckets = new BucketCounts();
        values.forEach((v, i) => buckets.addRaw({ lo: bucketOf(v), counts: Float64Array.of(counts[i] ?? 1) }));
        expect(encodeCounts(buckets)).toBe(encodingOf(values, counts));
      }),
      { numRuns: 300 },
    );
    // Empty; one slot at the bottom and at the top of the range; lone empty slots between counts.
    const edges = new BucketCounts();
    expect(encodeCounts(edges)).toBe('');
    for (const v of [1, 3, 5, HDR_HIGHEST_US]) edges.recordBucket(bucketOf(v));
    expect(encodeCounts(edges)).toBe(encodingOf([1, 3, 5, HDR_HIGHEST_US]));
    const second = new BucketCounts();
    second.recordBucket(bucketOf(2));
    expect(encodeCounts(second)).toBe(encodingOf([2]));
  });

  it('sum as the library sums and encodes them (property)', () => {
    const librarySum = (parts: readonly string[]) => {
      const h = createHistogram(64);
      for (const p of parts) if (p !== '') h.add(libraryDecode(p));
      return encodeHistogram(h);
    };
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 60 }), { minLength: 2, maxLength: 6 }), (lists) => {
        const parts = lists.map((values) => encodingOf(values));
        const present = parts.filter((p) => p !== '');
        expect(sumEncoded(parts)).toBe(present.length <= 1 ? (present[0] ?? '') : librarySum(parts));
      }),
      { numRuns: 150 },
    );
    // One of another precision among them: the library's way, the same sum.
    const other = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 2, bitBucketSize: 64, autoResize: false });
    other.recordValue(12_345);
    const parts = [encodingOf([5, 900]), encodeIntoCompressedBase64(other), encodingOf([7])];
    expect(sumEncoded(parts)).toBe(librarySum(parts));
  });

  it('of another range or precision are decoded by the library', () => {
    const other = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 2, bitBucketSize: 64, autoResize: false });
    for (const v of [1, 17, 900, 123_456]) other.recordValue(v);
    const e = encodeIntoCompressedBase64(other);
    const into = createHistogram(64);
    addEncoded(into, e);
    const expected = createHistogram(64);
    expected.add(libraryDecode(e));
    expect(encodeHistogram(into)).toBe(encodeHistogram(expected));
    expect(into.totalCount).toBe(4);
  });

  it('sum, decode and lend', () => {
    const a = encodingOf([5, 10, 10_000]);
    const b = encodingOf([5, 7]);
    expect(sumEncoded([])).toBe('');
    expect(sumEncoded(['', a, ''])).toBe(a);
    expect(sumEncoded([a, b])).toBe(encodingOf([5, 5, 7, 10, 10_000]));
    expect(decodeHistogram('').totalCount).toBe(0);
    expect(withDecoded(a, (h) => h.totalCount)).toBe(3);
    expect(withDecoded('', (h) => h.totalCount)).toBe(0);
    expect(() => addEncoded(createHistogram(64), 'not a histogram')).toThrow();
  });
});
