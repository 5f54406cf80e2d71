import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createHistogram,
  emptyResults,
  ERROR_INDEX,
  mergeDelta,
  mergeDeltas,
  NO_ERROR,
  Recorder,
  recordMs,
  summarize,
  timeseries,
  type LoadResults,
  type ResultsDelta,
} from '../../src/stats/index.js';

/** Deterministic pseudo-random latencies with a long tail. */
function samples(n: number, seed: number): number[] {
  let x = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const u = (x >>> 0) / 2 ** 32;
    out.push(0.2 + (u < 0.99 ? u * 20 : u * 3000));
  }
  return out;
}

const PERCENTILES = [0, 1, 10, 50, 75, 90, 95, 99, 99.9, 99.99, 100];

/** Records samples round-robin on `peers` recorders, cutting a delta every `every` samples. */
function deltasFor(values: number[], peers: number, every: number): ResultsDelta[] {
  const recorders = Array.from({ length: peers }, (_, i) => new Recorder(`peer-${i}`, 2, 0));
  const deltas: ResultsDelta[] = [];
  values.forEach((ms, i) => {
    const r = recorders[i % peers]!;
    const intended = i; // one per ms: spreads over seconds
    r.response(i % 2, intended, intended + ms / 4, intended + ms, 200, NO_ERROR, 100, 50);
    if (i % every === every - 1) deltas.push(r.takeDelta());
  });
  for (const r of recorders) deltas.push(r.takeDelta(true));
  return deltas;
}

describe('merging deltas', () => {
  const values = samples(20_000, 7);
  const single = createHistogram(64);
  for (const v of values) recordMs(single, v);

  it('gives the percentiles of one histogram fed every sample, exactly', () => {
    const merged = mergeDeltas(deltasFor(values, 3, 977));
    expect(merged.latency.totalCount).toBe(values.length);
    for (const p of PERCENTILES) expect(merged.latency.getValueAtPercentile(p)).toBe(single.getValueAtPercentile(p));
    expect(merged.totals).toMatchObject({ requests: 20_000, successes: 20_000, bytes_in: 2_000_000, bytes_out: 1_000_000, status: { '200': 20_000 } });
  });

  it('is independent of order and ignores a delta seen twice', () => {
    const deltas = deltasFor(values, 4, 1500);
    const forward = mergeDeltas(deltas);
    const shuffled = mergeDeltas([...deltas].reverse().concat(deltas.slice(0, 5)));
    expect(summarize(shuffled, 20)).toEqual(summarize(forward, 20));
    expect(timeseries(shuffled, 20)).toEqual(timeseries(forward, 20));
    expect(Object.values(shuffled.sources).every((s) => s.final && s.extra.length === 0)).toBe(true);
  });

  it('does not change its input', () => {
    const [a, b] = deltasFor(values.slice(0, 100), 1, 50);
    const acc1 = mergeDelta(emptyResults(), a!);
    const before = JSON.stringify(summarize(acc1, 1));
    mergeDelta(acc1, b!);
    expect(JSON.stringify(summarize(acc1, 1))).toBe(before);
  });

  it('merges per-second series and per-target figures exactly', () => {
    const merged = mergeDeltas(deltasFor(values, 3, 333));
    const series = timeseries(merged, 20);
    expect(series).toHaveLength(20);
    expect(series.every((p) => p.requests === 1000)).toBe(true);
    const second3 = createHistogram(64);
    values.slice(3000, 4000).forEach((v) => recordMs(second3, v));
    expect(series[3]!.p99_ms).toBe(Math.round(second3.getValueAtPercentile(99)) / 1000);
    const even = createHistogram(64);
    values.forEach((v, i) => i % 2 === 0 && recordMs(even, v));
    expect(merged.targets[0]!.latency.getValueAtPercentile(99)).toBe(even.getValueAtPercentile(99));
  });

  it('holds for any split of any samples (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.001, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 50 }), (vals, peers, every) => {
        const one = createHistogram(64);
        vals.forEach((v) => recordMs(one, v));
        const merged = mergeDeltas(deltasFor(vals, peers, every));
        return PERCENTILES.every((p) => merged.latency.getValueAtPercentile(p) === one.getValueAtPercentile(p));
      }),
      { numRuns: 40 },
    );
  });
});

describe('Recorder', () => {
  it('keeps its own results equal to the fold of its deltas', () => {
    const r = new Recorder('run', 2, 0);
    const deltas: ResultsDelta[] = [];
    samples(5000, 3).forEach((ms, i) => {
      const failed = i % 97 === 0;
      r.response(i % 2, i, i, i + ms, failed ? 503 : 200, failed ? ERROR_INDEX.unexpected_status : NO_ERROR, 10, 10);
      if (i % 11 === 0) r.drop(1, i);
      if (i % 1000 === 999) deltas.push(r.takeDelta());
    });
    const pendingView = r.results();
    deltas.push(r.takeDelta(true));
    const fold = mergeDeltas(deltas);
    const same = (a: LoadResults, b: LoadResults) => {
      expect(summarize(a, 5)).toEqual(summarize(b, 5));
      expect(timeseries(a, 5)).toEqual(timeseries(b, 5));
    };
    same(r.results(), fold);
    same(pendingView, fold);
    expect(r.results().sources).toEqual(fold.sources);
    expect(fold.totals).toMatchObject({ requests: 5000, failures: 52, dropped: 455, errors: { unexpected_status: 52 }, status: { '503': 52 } });
  });

  it('emits JSON-serialisable deltas numbered from 1', () => {
    const r = new Recorder('run', 1, 0);
    r.response(0, 0, 0, 5, 200, NO_ERROR, 1, 1);
    const d1 = r.takeDelta();
    const d2 = r.takeDelta(true);
    expect([d1.seq, d2.seq, d2.final]).toEqual([1, 2, true]);
    expect(JSON.parse(JSON.stringify(d1))).toEqual(d1);
    expect(d2).toMatchObject({ targets: [], seconds: [], latency: '', service: '' });
  });
});
