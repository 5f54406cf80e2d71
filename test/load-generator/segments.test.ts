import { afterEach, describe, expect, it } from 'vitest';
import { ownsArrival, profileFor, startLoad } from '../../actors/load-generator/index.js';
import { reportOf } from '../../src/report/index.js';
import type { Segment } from '../../src/execution/segment.js';
import type { ResultsDelta } from '../../src/stats/index.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { waitFor } from '../../scripts/lib/peer-process.js';

let target: CountingTarget | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

describe('segments of one run', () => {
  it('three thirds together send exactly what one full run would', async () => {
    target = await startCountingTarget();
    const task = validateLoadTask({ targets: [{ url: target.url }], duration: 2, base_rps: 200, peak_rps: 700, pattern: 'ramp_up', connections: 10, max_lateness: '5s' });
    const full = profileFor(task).total;
    const startAt = Date.now() + 100;
    const thirds: Segment[] = [
      { from: 0, to: 1 / 3 },
      { from: 1 / 3, to: 2 / 3 },
      { from: 2 / 3, to: 1 },
    ];
    const outcomes = await Promise.all(thirds.map((segment) => startLoad({ params: task, segment, startAt }).done));
    const totals = outcomes.map((o) => reportOf(o, task).summary.total_requests);
    expect(totals.reduce((a, b) => a + b, 0)).toBe(full);
    expect(target.count()).toBe(full);
    // Each share is what its positions say, and close to a third.
    thirds.forEach((segment, i) => {
      let mine = 0;
      for (let k = 1; k <= full; k++) if (ownsArrival(segment, k)) mine++;
      expect(totals[i]).toBe(mine);
      // Every arrival the share owned was scheduled, and each is sent or dropped.
      const c = outcomes[i]!.results.totals;
      expect(c.scheduled).toBe(mine);
      expect(c.requests + c.dropped).toBe(c.scheduled);
      expect(Math.abs(mine - full / 3)).toBeLessThanOrEqual(3);
    });
  });

  it('keeps the total exact when segments change during the run', async () => {
    target = await startCountingTarget();
    const task = validateLoadTask({ targets: [{ url: target.url }], duration: 2, base_rps: 600, connections: 10, max_lateness: '5s' });
    const profile = profileFor(task);
    const startAt = Date.now() + 100;
    const finals: ResultsDelta[] = [];
    const onDelta = (d: ResultsDelta) => void (d.final && finals.push(d));
    const a = startLoad({ params: task, segment: { from: 0, to: 0.5 }, startAt, runId: 'a', onDelta });
    const b = startLoad({ params: task, segment: { from: 0.5, to: 1 }, startAt, runId: 'b', onDelta });
    // Half way between two arrivals (they are 1.67 ms apart), so no clock jitter can put one on the wrong side.
    const switchAt = startAt + 1000.8;
    a.setSegment(0, 0.8, switchAt);
    b.setSegment(0.8, 1, switchAt);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    const [ta, tb] = [ra, rb].map((o) => reportOf(o, task).summary.total_requests);
    expect(ta! + tb!).toBe(profile.total);
    expect(target.count()).toBe(profile.total);
    let expectedA = 0;
    for (let k = 1; k <= profile.total; k++) {
      const before = profile.timeOf(k) * 1000 < switchAt - startAt;
      if (ownsArrival(before ? { from: 0, to: 0.5 } : { from: 0, to: 0.8 }, k)) expectedA++;
    }
    expect(ta).toBe(expectedA);
    // Each final delta names the shares its run applied, from their moment: what the accounting counts
    // the run's arrivals by. A change heard after the run ended is not among them (never sent).
    a.setSegment(0, 1, switchAt + 500);
    expect(Object.fromEntries(finals.map((d) => [d.run_id, d.shares]))).toEqual({
      a: [{ at: startAt, segment: { from: 0, to: 0.5 } }, { at: switchAt, segment: { from: 0, to: 0.8 } }],
      b: [{ at: startAt, segment: { from: 0.5, to: 1 } }, { at: switchAt, segment: { from: 0.8, to: 1 } }],
    });
    expect(finals).toHaveLength(2);
  });

  it('changes a share at once when no time is given', async () => {
    target = await startCountingTarget();
    const task = validateLoadTask({ targets: [{ url: target.url }], duration: 1.5, base_rps: 400, connections: 10 });
    const run = startLoad({ params: task, segment: { from: 0, to: 0.25 } });
    await waitFor(() => target!.count() >= 50, 5_000, 'requests to arrive', 5);
    const partial = run.snapshot().totals.requests;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThanOrEqual(target.count());
    run.setSegment(0, 1);
    const total = reportOf(await run.done, task).summary.total_requests;
    expect(total).toBe(target.count());
    expect(total).toBeGreaterThan(0.25 * 600);
    expect(total).toBeLessThan(600);
  });

  it('a run stopped midway counts as scheduled exactly the arrivals it sent or dropped, all due before the stop', async () => {
    target = await startCountingTarget();
    const task = validateLoadTask({ targets: [{ url: target.url }], duration: 3, base_rps: 300, connections: 10 });
    const profile = profileFor(task);
    const startAt = Date.now() + 100;
    const run = startLoad({ params: task, segment: { from: 0, to: 0.5 }, startAt, warmUp: false });
    await new Promise((r) => setTimeout(r, 1_300));
    run.stop();
    const outcome = await run.done;
    const c = outcome.results.totals;
    expect(c.scheduled).toBeGreaterThan(0);
    expect(c.requests + c.dropped).toBe(c.scheduled);
    expect(c.scheduled).toBeLessThan(profile.total / 2);
    // Aborted requests may or may not have reached the target; every other one did.
    expect(target.count()).toBeGreaterThanOrEqual(c.requests - (c.errors.aborted ?? 0));
    expect(target.count()).toBeLessThanOrEqual(c.requests);
  });
});
