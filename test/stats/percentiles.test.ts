// valuesAtPercentiles walks the counts array once for all percentiles, and sumEncoded decodes every part
// into one sum: each must give what the library's getValueAtPercentile, and a chain of
// addEncodedHistograms, give, to the last bit, for histograms of any spread.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addEncodedHistograms, createHistogram, decodeHistogram, encodeHistogram, latencyFigures, plusEncoded, sumEncoded, valuesAtPercentiles } from '../../src/stats/index.js';

const PERCENTILES = [0, 0.1, 1, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100, 50, 120];
const values = fc.array(fc.tuple(fc.integer({ min: 1, max: 120_000_000 }), fc.integer({ min: 1, max: 1000 })), { minLength: 1, maxLength: 200 });

function recorded(entries: [number, number][]) {
  const h = createHistogram(32);
  for (const [v, n] of entries) h.recordValueWithCount(v, n);
  return h;
}

describe('valuesAtPercentiles', () => {
  it('is 0 everywhere for an empty histogram, like the library', () => {
    const h = createHistogram(64);
    expect(valuesAtPercentiles(h, PERCENTILES)).toEqual(PERCENTILES.map((p) => h.getValueAtPercentile(p)));
  });

  it('equals the library for every percentile, in any order, recorded, decoded and merged', () => {
    fc.assert(
      fc.property(values, fc.shuffledSubarray(PERCENTILES), (entries, ps) => {
        const h = recorded(entries);
        const decoded = decodeHistogram(encodeHistogram(h));
        const merged = plusEncoded(decoded, encodeHistogram(h));
        for (const x of [h, decoded, merged]) expect(valuesAtPercentiles(x, ps)).toEqual(ps.map((p) => x.getValueAtPercentile(p)));
      }),
      { numRuns: 200 },
    );
  });

  it('gives latencyFigures the figures of one percentile at a time', () => {
    fc.assert(
      fc.property(values, (entries) => {
        const h = decodeHistogram(encodeHistogram(recorded(entries)));
        const ms = (p: number) => Math.round((h.getValueAtPercentile(p) / 1000) * 1000) / 1000;
        expect(latencyFigures(h)).toMatchObject({ min: ms(0), p50: ms(50), p90: ms(90), p95: ms(95), p99: ms(99), p999: ms(99.9), max: ms(100) });
      }),
      { numRuns: 100 },
    );
  });
});

describe('sumEncoded', () => {
  it('encodes what a chain of addEncodedHistograms encodes', () => {
    fc.assert(
      fc.property(fc.array(fc.option(values, { nil: undefined }), { minLength: 0, maxLength: 8 }), (parts) => {
        const encoded = parts.map((entries) => (entries === undefined ? '' : encodeHistogram(recorded(entries))));
        expect(sumEncoded(encoded)).toBe(encoded.reduce(addEncodedHistograms, ''));
      }),
      { numRuns: 100 },
    );
  });
});
