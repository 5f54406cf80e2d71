// mergeAll gives what folding the same deltas one by one gives, bit for bit: figures, sources, every
// histogram's encoding and every second's, with duplicates and in any order.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NO_ERROR, Recorder, encodeHistogram, mergeAll, mergeDeltas, type LoadResults, type ResultsDelta } from '../../src/stats/index.js';

/** Everything a LoadResults holds, with histograms as their encodings. */
function plain(r: LoadResults) {
  const targets = Object.fromEntries(Object.entries(r.targets).map(([i, t]) => [i, { counters: t.counters, latency: encodeHistogram(t.latency), service: encodeHistogram(t.service) }]));
  return { sources: r.sources, totals: r.totals, latency: encodeHistogram(r.latency), service: encodeHistogram(r.service), lateness: r.lateness && encodeHistogram(r.lateness), targets, seconds: r.seconds };
}

/** Deltas of `runs` runs: each records `perDelta[k]` responses into delta k (spread over seconds and targets). */
function deltasOf(runs: number[][], seed: number): ResultsDelta[] {
  const out: ResultsDelta[] = [];
  runs.forEach((perDelta, run) => {
    const recorder = new Recorder(`e:0:n${run}`, 3, 0);
    let t = 0;
    perDelta.forEach((n, k) => {
      for (let i = 0; i < n; i++, t += 97 + ((i * seed) % 300)) {
        const latency = 1 + ((i * 7919 + seed * 31 + run) % 5_000);
        recorder.response((i + run) % 3, t, t + 0.3, t + latency, i % 17 === 0 ? 503 : 200, i % 23 === 0 ? 1 : NO_ERROR, 120, 40);
      }
      if (n % 5 === 0) recorder.drop((k + run) % 3, t);
      recorder.sent(t, t + 2);
      const final = k === perDelta.length - 1;
      const delta = recorder.takeDelta(final);
      // A fenced run's final delta may say how many arrivals it held back, never told whose.
      out.push(final && run % 2 === 1 ? { ...delta, held: run + seed % 7 } : delta);
    });
  });
  return out;
}

describe('mergeAll', () => {
  it('equals mergeDeltas, duplicates and order included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        (runs, seed, shuffle) => {
          const deltas = deltasOf(runs, seed);
          const mixed = [...deltas, ...deltas.slice(0, shuffle % (deltas.length + 1))].sort((a, b) => ((a.seq * 31 + shuffle) % 7) - ((b.seq * 31 + shuffle) % 7));
          expect(plain(mergeAll(mixed))).toEqual(plain(mergeDeltas(mixed)));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('of nothing is the empty results', () => {
    expect(plain(mergeAll([]))).toEqual(plain(mergeDeltas([])));
  });
});

describe('a run\'s tally', () => {
  it('carries the arrivals its final delta says it held back, once, apart from what it scheduled', () => {
    const recorder = new Recorder('e:0:a', 1, 0);
    recorder.schedule(0);
    recorder.response(0, 1, 1.5, 3, 200, NO_ERROR, 10, 10);
    const first = recorder.takeDelta(false);
    const last = { ...recorder.takeDelta(true), held: 7 };
    for (const merged of [mergeAll([first, last, last]), mergeDeltas([last, first, last])]) {
      expect(merged.sources['e:0:a']!.tally).toEqual({ requests: 1, dropped: 0, scheduled: 1, held: 7 });
      expect(merged.totals.scheduled).toBe(1);
    }
  });
});
