// Count arrays and histograms are reused from run to run on one thread (issue 9: freed, they stayed in
// glibc's malloc arenas): a released recorder's arrays are the next recorder's, and what they held before
// never shows in the next run's results, nor does anything recorded after the release.
import { describe, expect, it } from 'vitest';
import {
  MAX_SPARE_COUNTS,
  NO_ERROR,
  Recorder,
  createHistogram,
  encodeHistogram,
  freezeResults,
  giveBackCounts,
  giveBackHistogram,
  poolStats,
  recordMs,
  takeCounts,
  takeHistogram,
  withHistogram,
  type LoadResults,
} from '../../src/stats/index.js';

/** `n` responses on target `t % targets`, latencies from `latency(k)` ms, one every 5 ms from `fromMs`. */
function record(recorder: Recorder, n: number, targets: number, latency: (k: number) => number, fromMs = 0): void {
  for (let k = 0; k < n; k++) {
    const t = fromMs + k * 5;
    recorder.response(k % targets, t, t + 0.1, t + latency(k), k % 9 === 0 ? 503 : 200, NO_ERROR, 10, 5);
    recorder.sent(t, t + 0.1);
  }
}

/** Every histogram of some results, encoded (what is compared bit for bit). */
const encoded = (r: LoadResults) => freezeResults(r);

describe('the per-thread pool', () => {
  it('hands back the counts given back, emptied', () => {
    const counts = takeCounts();
    counts.recordBucket(100);
    counts.recordBucket(17_000);
    giveBackCounts(counts);
    const again = takeCounts();
    expect(again).toBe(counts);
    expect(again.total).toBe(0);
    expect(again.counts.every((c) => c === 0)).toBe(true);
    giveBackCounts(again);
    giveBackCounts(again); // twice: kept once
    expect([takeCounts(), takeCounts()].filter((c) => c === again)).toHaveLength(1);
  });

  it('keeps at most MAX_SPARE_COUNTS spares', () => {
    const taken = Array.from({ length: MAX_SPARE_COUNTS + 5 }, () => takeCounts());
    for (const c of taken) giveBackCounts(c);
    expect(poolStats().spareCounts).toBe(MAX_SPARE_COUNTS);
    for (let i = 0; i < MAX_SPARE_COUNTS; i++) takeCounts();
  });

  it('lends histograms reset', () => {
    const h = takeHistogram();
    recordMs(h, 12);
    giveBackHistogram(h);
    expect(withHistogram((lent) => [lent === h, lent.totalCount])).toEqual([true, 0]);
  });
});

describe('a recorder on pooled arrays', () => {
  it("reuses a released recorder's arrays, and the next run's results are its own exactly", () => {
    // A first run with much in it, cut and released.
    const first = new Recorder('e:0:first', 3, 0);
    record(first, 3_000, 3, (k) => 1 + ((k * 7919) % 40_000));
    first.takeDelta();
    record(first, 500, 3, (k) => 50 + k, 15_000);
    first.takeDelta(true);
    first.results();
    first.release();
    const before = poolStats();

    // The same second run on the reused arrays and on arrays never used before.
    const reused = new Recorder('e:0:second', 2, 0);
    expect(poolStats().countsCreated).toBe(before.countsCreated); // nothing new allocated for it
    const spares = [];
    while (poolStats().spareCounts > 0) spares.push(takeCounts()); // the pool empty: the next recorder's arrays are new
    const fresh = new Recorder('e:0:second', 2, 0);
    for (const s of spares) giveBackCounts(s);
    for (const r of [reused, fresh]) {
      record(r, 400, 2, (k) => 2 + (k % 13));
      r.takeDelta();
      record(r, 100, 2, (k) => 3 + (k % 5), 2_000);
    }
    expect(reused.peekDelta()).toEqual(fresh.peekDelta());
    expect(reused.progress()).toEqual(fresh.progress());
    const a = reused.takeDelta(true);
    expect(a).toEqual(fresh.takeDelta(true));
    expect(encoded(reused.results())).toEqual(encoded(fresh.results()));
    expect(reused.frozenResults()).toEqual(fresh.frozenResults());
    // And those are the figures of the second run alone: 500 responses, none from the first.
    expect(reused.results().totals.requests).toBe(500);
    const direct = createHistogram(64);
    for (let k = 0; k < 400; k++) recordMs(direct, 2 + (k % 13));
    for (let k = 0; k < 100; k++) recordMs(direct, 3 + (k % 5));
    expect(encodeHistogram(reused.results().latency)).toBe(encodeHistogram(direct));
  });

  it('ignores what comes in after its release: the arrays are already the next run’s', () => {
    const old = new Recorder('e:0:old', 1, 0);
    record(old, 10, 1, () => 5);
    old.takeDelta(true);
    old.release();
    const next = new Recorder('e:0:next', 1, 0);
    // A late completion of the old run (its client destroyed while a request was in flight).
    old.response(0, 0, 0.1, 900, 200, NO_ERROR, 10, 5);
    old.drop(0, 10);
    old.schedule(0);
    old.sent(0, 3);
    old.absorb({ targets: [{ index: 0, requests: 1, successes: 1, failures: 0, dropped: 0, bytesIn: 1, bytesOut: 1, status: [200, 1], errors: [], latency: null, service: null }], seconds: [], lateness: null });
    expect(next.peekDelta().targets).toEqual([]);
    expect(next.progress().requests).toBe(0);
    expect(() => old.results()).toThrow(/after its release/);
    next.release();
  });

  it('frozenResults equals freezing results(), with or without a pending delta', () => {
    const r = new Recorder('e:0:f', 2, 0);
    expect(r.frozenResults()).toEqual(freezeResults(r.results()));
    record(r, 200, 2, (k) => 1 + k);
    expect(r.frozenResults()).toEqual(freezeResults(r.results()));
    r.takeDelta();
    record(r, 50, 2, (k) => 7 + k, 1_200);
    expect(r.frozenResults()).toEqual(freezeResults(r.results()));
    r.takeDelta(true);
    expect(r.frozenResults()).toEqual(freezeResults(r.results()));
    r.release();
  });
});
