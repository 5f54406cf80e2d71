// meanOf walks the counts array instead of driving hdr-histogram-js's iterator: it must give the library's
// own mean to the last bit, for recorded, merged and decoded histograms of any spread.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHistogram, decodeHistogram, encodeHistogram, meanOf, plusEncoded } from '../../src/stats/index.js';

describe('meanOf', () => {
  it('is 0 for an empty histogram, like the library', () => {
    expect(meanOf(createHistogram(64))).toBe(0);
    expect(meanOf(createHistogram(32))).toBe(createHistogram(32).mean);
  });

  it('equals the library mean exactly, recorded, decoded and merged', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 120_000_000 }), fc.integer({ min: 1, max: 1000 })), { minLength: 1, maxLength: 200 }), (values) => {
        const h = createHistogram(32);
        for (const [v, n] of values) h.recordValueWithCount(v, n);
        expect(meanOf(h)).toBe(h.mean);
        const decoded = decodeHistogram(encodeHistogram(h));
        expect(meanOf(decoded)).toBe(decoded.mean);
        const merged = plusEncoded(decoded, encodeHistogram(h));
        expect(meanOf(merged)).toBe(merged.mean);
      }),
      { numRuns: 200 },
    );
  });
});
