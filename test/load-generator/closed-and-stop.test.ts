import { afterEach, describe, expect, it } from 'vitest';
import { startLoad } from '../../actors/load-generator/index.js';
import { reportOf } from '../../src/report/index.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { waitFor } from '../../scripts/lib/peer-process.js';

let target: CountingTarget | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

describe('closed model', () => {
  it('loops users with think time until the duration ends', async () => {
    target = await startCountingTarget();
    const task = validateLoadTask({ targets: [{ url: target.url }], duration: 1, concurrent_users: 4, think_time: '50ms' });
    const report = reportOf(await startLoad({ params: task }).done, task);
    expect(report.status).toBe('completed');
    expect(report.summary.total_requests).toBe(target.count());
    // Each user: about one request per 50 ms of think plus a short answer.
    expect(report.summary.total_requests).toBeGreaterThan(4 * 8);
    expect(report.summary.total_requests).toBeLessThanOrEqual(4 * 21);
  });

  it.each(['auto', 'undici'] as const)('keeps looping, bounded, when every connection is refused (%s path)', async (transport) => {
    // A port that was free a moment ago: nothing listens there.
    const gone = await startCountingTarget();
    const url = gone.url;
    await gone.close();
    const task = validateLoadTask({ targets: [{ url, ...(transport === 'undici' ? { headers: { connection: 'keep-alive' } } : {}) }], duration: 0.5, concurrent_users: 3 });
    const outcome = await startLoad({ params: task, warmUp: false, workers: 0 }).done;
    const summary = reportOf(outcome, task).summary;
    expect(outcome.status).toBe('completed');
    // Each user tries again a millisecond or more after its connection fails (a re-send from the failing
    // callback itself spun hundreds of thousands of times on this path, and crashed undici's); every
    // request counts once, as refused.
    expect(summary.total_requests).toBeGreaterThanOrEqual(3);
    expect(summary.total_requests).toBeLessThanOrEqual(3 * 500 + 3);
    expect(summary.failed_requests).toBe(summary.total_requests);
    expect(summary.errors.refused ?? 0).toBe(summary.total_requests);
  });

  it('gives each segment its users', async () => {
    target = await startCountingTarget({ delayMs: 200 });
    const task = validateLoadTask({ targets: [{ url: target.url }], duration: 1, concurrent_users: 5 });
    const startAt = Date.now() + 50;
    const [a, b] = await Promise.all([
      startLoad({ params: task, segment: { from: 0, to: 0.5 }, startAt }).done,
      startLoad({ params: task, segment: { from: 0.5, to: 1 }, startAt }).done,
    ]);
    const [ta, tb] = [a, b].map((o) => reportOf(o, task).summary.total_requests);
    // 200 ms per request for 1 s: five requests per user; users 0-1 and 2-4.
    expect(ta! + tb!).toBe(target.count());
    expect(Math.abs(ta! - 2 * 5)).toBeLessThanOrEqual(2);
    expect(Math.abs(tb! - 3 * 5)).toBeLessThanOrEqual(3);
  });
});

describe('stop', () => {
  it.each([
    ['closed', { concurrent_users: 8 }],
    ['open', { base_rps: 300 }],
  ])('ends a %s run within about 100 ms', async (_, load) => {
    target = await startCountingTarget({ delayMs: 20 });
    const task = validateLoadTask({ targets: [{ url: target.url }], duration: 10, ...load });
    const run = startLoad({ params: task });
    await waitFor(() => target!.count() >= 30, 5_000, 'requests to arrive', 5);
    const asked = performance.now();
    run.stop();
    const outcome = await run.done;
    const took = performance.now() - asked;
    expect(outcome.status).toBe('stopped');
    expect(took).toBeLessThan(250);
    expect(run.state).toBe('finished');
    const summary = reportOf(outcome, task).summary;
    expect(summary.total_requests).toBeGreaterThanOrEqual(30);
    expect(summary.errors.aborted ?? 0).toBeLessThanOrEqual(task.max_in_flight);
    // Nothing is sent after stop.
    const count = target.count();
    await new Promise((r) => setTimeout(r, 50));
    expect(target.count()).toBe(count);
  });

  it('bounds a run by its duration even when the target never answers in time', async () => {
    target = await startCountingTarget({ delayMs: 5000 });
    const task = validateLoadTask({ targets: [{ url: target.url, timeout: '300ms' }], duration: 0.5, base_rps: 20 });
    const run = startLoad({ params: task });
    const summary = reportOf(await run.done, task).summary;
    expect(Date.now() - run.startAt).toBeLessThan(0.5 * 1000 + 300 + 500);
    expect(summary).toMatchObject({ total_requests: 10, failed_requests: 10, errors: { timeout: 10 } });
  });
});
