// Runs one after another on one thread reuse their recorders' count arrays (issue 9: each run allocated a
// dozen arrays of 145 KB per thread, and freed ones stayed in glibc's arenas), and each run's results are
// its own, exactly what the target received, whatever the reused arrays held before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoad } from '../../actors/load-generator/index.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { poolStats } from '../../src/stats/index.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';

let target: CountingTarget;
beforeAll(async () => {
  target = await startCountingTarget();
});
afterAll(async () => {
  await target?.close();
});

/** One run on this thread (workers 0), warm-up included; its results and what the target received. */
async function runOnce(path: string, rate: number) {
  const task = validateLoadTask({ targets: [{ url: `${target.url}${path}` }], duration: 0.5, base_rps: rate, max_lateness: '5s' });
  const outcome = await startLoad({ params: task, workers: 0 }).done;
  return { outcome, received: target.countsByPath()[path] ?? 0 };
}

describe('runs on one thread', () => {
  it('reuse their count arrays, and each run counts only its own requests', async () => {
    // Two runs fill the pool (a run, its warm-up, their deltas).
    for (const i of [0, 1]) expect((await runOnce(`/warm${i}`, 40)).outcome.status).toBe('completed');
    const before = poolStats().countsCreated;
    const rates = [60, 20, 100, 40, 80];
    for (const [i, rate] of rates.entries()) {
      const { outcome, received } = await runOnce(`/run${i}`, rate);
      expect(outcome.status).toBe('completed');
      expect(outcome.results.totals.requests).toBe(received);
      expect(outcome.results.totals.scheduled).toBe(rate / 2);
      expect(outcome.results.latency.totalCount).toBe(received);
      expect(outcome.frozen?.totals.requests).toBe(received);
    }
    // Without the pool each of these runs made about 20 new arrays; now a second that straddles a
    // boundary may need one more than the runs before.
    expect(poolStats().countsCreated - before).toBeLessThanOrEqual(2);
    expect(poolStats().spareCounts).toBeGreaterThan(0);
  });
});
