// A fenced run against a real counting target: it sends only within the spans its share lease grants
// (held-spans.ts), drops what falls due outside them, and resumes from the schedule's position, with no
// burst; on this thread and on a load worker alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeLoadWorkers, prepareLoadWorkers, startLoad } from '../../actors/load-generator/index.js';
import { reportOf } from '../../src/report/index.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { startCountingTarget } from '../support/counting-target.js';
import type { ResultsDelta } from '../../src/stats/index.js';

beforeAll(() => prepareLoadWorkers(1), 30_000);
afterAll(() => closeLoadWorkers());

describe('a fenced run', () => {
  it.each([0, 1])('sends within its granted spans only, and resumes without a burst (workers %i)', async (workers) => {
    const target = await startCountingTarget();
    try {
      const RATE = 200;
      const task = validateLoadTask({ targets: [{ url: `${target.url}/f` }], duration: '4s', base_rps: RATE, max_lateness: '2s' });
      const startAt = Date.now() + 300;
      const run = startLoad({ params: task, startAt, warmUp: false, workers, workerRate: 10_000, fenced: true });
      // Held for the first second, paused for the second, held again from the third on.
      run.grant(startAt - 200, startAt + 1_000, startAt + 1_500);
      const resumeAt = startAt + 2_000;
      const timer = setTimeout(() => run.grant(resumeAt, startAt + 6_000, startAt + 6_500), resumeAt - Date.now());
      const outcome = await run.done;
      clearTimeout(timer);
      const report = reportOf(outcome, task);
      const bySecond = target.countsBySecond(startAt, 4);
      // Tolerances for a loaded machine (a stall moves a few sends across a second); a burst would be +RATE.
      expect(bySecond[0]).toBeGreaterThanOrEqual(RATE * 0.9);
      expect(bySecond[1]).toBeLessThanOrEqual(RATE * 0.1); // only what was in flight at the lapse
      // Resumed from the schedule's position: the paused second's arrivals are not sent late.
      for (const n of bySecond.slice(2)) {
        expect(n).toBeLessThanOrEqual(RATE * 1.1);
        expect(n).toBeGreaterThanOrEqual(RATE * 0.85);
      }
      const s = report.summary;
      expect(s.total_requests + s.dropped_requests).toBe(RATE * 4); // every arrival sent or dropped
      expect(s.dropped_requests).toBeGreaterThanOrEqual(RATE * 0.95);
      expect(s.dropped_requests).toBeLessThanOrEqual(RATE * 1.1);
      expect(target.count()).toBe(s.total_requests);
    } finally {
      await target.close();
    }
  }, 20_000);

  it.each([0, 1])('paused to its end and never told whose the arrivals it held back were: counts none of them, says how many on its final delta (workers %i)', async (workers) => {
    const target = await startCountingTarget();
    try {
      const RATE = 200;
      const task = validateLoadTask({ targets: [{ url: `${target.url}/h` }], duration: '2s', base_rps: RATE, max_lateness: '2s' });
      const startAt = Date.now() + 300;
      const deltas: ResultsDelta[] = [];
      const run = startLoad({ params: task, startAt, warmUp: false, workers, workerRate: 10_000, fenced: true, onDelta: (d) => deltas.push(d) });
      // Held for half a second, surely its own until 700 ms; nothing after.
      run.grant(startAt - 200, startAt + 500, startAt + 700);
      const outcome = await run.done;
      const final = deltas.at(-1)!;
      expect(final.final).toBe(true);
      const c = outcome.results.totals;
      expect(c.requests + c.dropped).toBe(c.scheduled);
      expect(c.scheduled + (final.held ?? 0)).toBe(RATE * 2); // each arrival sent, dropped or held back: once
      expect(final.held).toBeGreaterThanOrEqual(RATE * 1.2); // due from 700 ms to the end, give or take a tick
      expect(target.count()).toBe(c.requests);
    } finally {
      await target.close();
    }
  }, 20_000);
});
