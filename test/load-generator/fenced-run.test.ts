// A fenced run against a real counting target: it sends only within the spans its share lease grants
// (held-spans.ts), drops what falls due outside them, and resumes from the schedule's position, with no
// burst; on this thread and on a load worker alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeLoadWorkers, prepareLoadWorkers, startLoad } from '../../actors/load-generator/index.js';
import { reportOf } from '../../src/report/index.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { startCountingTarget } from '../support/counting-target.js';

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
});
