import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeLoadWorkers, ownsArrival, partOf, prepareLoadWorkers, profileFor, startLoad, subSegments, workersFor } from '../../actors/load-generator/index.js';
import { usersOf } from '../../actors/load-generator/segment.js';
import { reportOf } from '../../src/report/index.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { mergeDeltas, summarize, type ResultsDelta } from '../../src/stats/index.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { waitFor } from '../../scripts/lib/peer-process.js';

let target: CountingTarget | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});
beforeAll(() => prepareLoadWorkers(2), 30_000);
afterAll(() => closeLoadWorkers());

describe('splitting a share among workers', () => {
  it('gives every arrival and every user of a segment to exactly one sub-segment (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 8 }), (a, b, n) => {
        const segment = { from: Math.min(a, b), to: Math.max(a, b) };
        const subs = subSegments(segment, n);
        expect(subs[0]!.from).toBe(segment.from);
        expect(subs[n - 1]!.to).toBe(segment.to);
        for (let k = 1; k <= 1000; k++) {
          const owners = subs.filter((s) => ownsArrival(s, k)).length;
          expect(owners).toBe(ownsArrival(segment, k) ? 1 : 0);
        }
        const users = subs.map((s) => usersOf(s, 97)).reduce((sum, r) => sum + r.end - r.first, 0);
        const whole = usersOf(segment, 97);
        expect(users).toBe(whole.end - whole.first);
      }),
      { numRuns: 60 },
    );
  });

  it('splits connections so that the parts add up, and uses workers only for the rate that needs them', () => {
    for (const [whole, n] of [[10, 3], [1, 2], [100, 2], [7, 7]] as const) expect(Array.from({ length: n }, (_, i) => partOf(whole, n, i)).reduce((a, b) => a + b, 0)).toBe(whole);
    const slow = validateLoadTask({ targets: [{ url: 'http://127.0.0.1:1/' }], duration: 1, base_rps: 500 });
    const fast = validateLoadTask({ targets: [{ url: 'http://127.0.0.1:1/' }], duration: 1, base_rps: 50_000, connections: 100 });
    const one = validateLoadTask({ targets: [{ url: 'http://127.0.0.1:1/' }], duration: 1, base_rps: 50_000, connections: 1 });
    expect(workersFor(slow, { from: 0, to: 1 }, 4)).toBe(1);
    expect(workersFor(fast, { from: 0, to: 1 }, 4)).toBe(4);
    expect(workersFor(fast, { from: 0, to: 0.1 }, 4)).toBe(1);
    expect(workersFor(one, { from: 0, to: 1 }, 4)).toBe(1);
    expect(workersFor(fast, { from: 0, to: 1 }, 0)).toBe(0);
  });
});

describe('a run on worker threads', () => {
  it('sends exactly the planned requests, its deltas one numbered stream whose fold is the result', async () => {
    target = await startCountingTarget();
    const task = validateLoadTask({ targets: [{ url: `${target.url}/a` }], duration: 2, base_rps: 400, connections: 10, max_lateness: '5s' });
    const deltas: ResultsDelta[] = [];
    const run = startLoad({ params: task, workers: 2, workerRate: 1, startAt: Date.now() + 300, onDelta: (d) => deltas.push(JSON.parse(JSON.stringify(d))) });
    expect(run.workers).toBe(2);
    const outcome = await run.done;
    const report = reportOf(outcome, task);
    expect(outcome.status).toBe('completed');
    expect(report.summary).toMatchObject({ total_requests: 800, successful_requests: 800, dropped_requests: 0 });
    expect(target.count()).toBe(800);
    expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i + 1));
    expect(deltas.map((d) => d.final)).toEqual(deltas.map((_, i) => i === deltas.length - 1));
    expect(summarize(mergeDeltas(deltas), 2)).toEqual(summarize(outcome.results, 2));
    // Per second by intended time: the schedule, to the request, although two threads sent it.
    const bins = [0, 0, 0];
    for (let k = 1; k <= 800; k++) bins[Math.floor(profileFor(task).timeOf(k))]!++;
    expect(report.timeseries.map((p) => p.requests)).toEqual(bins.slice(0, report.timeseries.length));
    // The sending loops measured their own lateness, one value per request.
    expect(outcome.results.lateness?.totalCount).toBe(800);
    expect(report.summary.send_lateness_ms?.max).toBeGreaterThanOrEqual(report.summary.send_lateness_ms?.p50 ?? Infinity);
  });

  it('keeps shares exact when the segments change during the run', async () => {
    target = await startCountingTarget();
    const task = validateLoadTask({ targets: [{ url: target.url }], duration: 2, base_rps: 600, connections: 10, max_lateness: '5s' });
    const profile = profileFor(task);
    const startAt = Date.now() + 300;
    const a = startLoad({ params: task, segment: { from: 0, to: 0.5 }, startAt, workers: 2, workerRate: 1 });
    const b = startLoad({ params: task, segment: { from: 0.5, to: 1 }, startAt, workers: 2, workerRate: 1 });
    const switchAt = startAt + 1000.8;
    a.setSegment(0, 0.8, switchAt);
    b.setSegment(0.8, 1, switchAt);
    const [ta, tb] = (await Promise.all([a.done, b.done])).map((o) => o.results.totals.requests);
    expect(ta! + tb!).toBe(profile.total);
    expect(target.count()).toBe(profile.total);
    let expectedA = 0;
    for (let k = 1; k <= profile.total; k++) if (ownsArrival(profile.timeOf(k) * 1000 < switchAt - startAt ? { from: 0, to: 0.5 } : { from: 0, to: 0.8 }, k)) expectedA++;
    expect(ta).toBe(expectedA);
  });

  it('gives each worker its users in the closed model', async () => {
    target = await startCountingTarget({ delayMs: 200 });
    const task = validateLoadTask({ targets: [{ url: target.url }], duration: 1, concurrent_users: 6, connections: 6 });
    const run = startLoad({ params: task, workers: 2 });
    expect(run.workers).toBe(2);
    const total = (await run.done).results.totals.requests;
    expect(total).toBe(target.count());
    // 200 ms per request for 1 s: about five requests per user.
    expect(Math.abs(total - 6 * 5)).toBeLessThanOrEqual(6);
  });

  it('stops at once, and nothing is counted twice', async () => {
    target = await startCountingTarget({ delayMs: 20 });
    const task = validateLoadTask({ targets: [{ url: target.url }], duration: 10, base_rps: 300 });
    const run = startLoad({ params: task, workers: 2, workerRate: 1 });
    await waitFor(() => target!.count() >= 60, 10_000, 'requests to arrive', 5);
    const asked = performance.now();
    run.stop();
    const outcome = await run.done;
    expect(performance.now() - asked).toBeLessThan(1000);
    expect(outcome.status).toBe('stopped');
    expect(run.state).toBe('finished');
    const { requests, successes, errors } = outcome.results.totals;
    expect(requests).toBeGreaterThanOrEqual(60);
    // Answered requests reached the target; those aborted at the stop may not have.
    expect(successes).toBeLessThanOrEqual(target.count());
    expect(requests - successes).toBe(errors.aborted ?? 0);
  });
});
