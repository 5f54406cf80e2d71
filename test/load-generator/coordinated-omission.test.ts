import { afterEach, describe, expect, it } from 'vitest';
import { startLoad } from '../../actors/load-generator/index.js';
import { reportOf } from '../../src/report/index.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';

let target: CountingTarget | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

describe('coordinated omission', () => {
  it('shows a 1 s stall in the corrected latency, not in the service time', async () => {
    target = await startCountingTarget();
    // 10 connections and at most 10 in flight: during the stall those 10 hang (their service time is the
    // stall), and every later arrival waits unsent in the backlog. Sent once the stall ends, those have a
    // short service time, but a latency from their intended time that includes the wait.
    const task = validateLoadTask({
      targets: [{ url: target.url }],
      duration: 3,
      base_rps: 1000,
      connections: 10,
      max_in_flight: 10,
      max_lateness: '3s',
    });
    const run = startLoad({ params: task, startAt: Date.now() + 100 });
    target.stall(1000, run.startAt + 1000);
    const report = reportOf(await run.done, task);
    const { latency_ms: latency, service_time_ms: service } = report.summary;
    expect(report.summary.total_requests).toBe(3000);
    expect(report.summary.dropped_requests).toBe(0);
    expect(target.count()).toBe(3000);
    expect(latency.p99).toBeGreaterThanOrEqual(700);
    expect(latency.max).toBeGreaterThanOrEqual(900);
    // The ten requests caught on the wire are 0.3 % of all: they set the max, not the p99.
    expect(service.max).toBeGreaterThanOrEqual(700);
    expect(service.p99).toBeLessThan(150);
    expect(service.p99 * 5).toBeLessThan(latency.p99);
    // Seen per second too: the stalled second's intended-time latency is high.
    expect(report.timeseries[1]!.p99_ms).toBeGreaterThanOrEqual(700);
  });
});
