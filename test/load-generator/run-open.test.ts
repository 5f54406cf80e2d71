import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { profileFor, startLoad, warmUp, WARM_UP_MS } from '../../actors/load-generator/index.js';
import { reportOf } from '../../src/report/index.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { mergeDeltas, summarize, type ResultsDelta } from '../../src/stats/index.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';

let target: CountingTarget | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('open model run against a real target', () => {
  it('sends exactly the planned requests at the asked rate (500 req/s for 4 s)', async () => {
    target = await startCountingTarget();
    // A generous lateness bound: on a busy machine a long pause must not turn into drops here.
    const task = validateLoadTask({ targets: [{ url: `${target.url}/a` }], duration: '4s', base_rps: 500, connections: 20, max_lateness: '5s' });
    const deltas: ResultsDelta[] = [];
    const run = startLoad({ params: task, startAt: Date.now() + 50, onDelta: (d) => deltas.push(JSON.parse(JSON.stringify(d))) });
    const outcome = await run.done;
    const report = reportOf(outcome, task);
    expect(outcome.status).toBe('completed');
    expect(report.summary.total_requests).toBe(2000);
    expect(target.count()).toBe(report.summary.total_requests);
    expect(report.summary).toMatchObject({ dropped_requests: 0, failed_requests: 0, successful_requests: 2000, status_codes: { '200': 2000 } });
    expect(Math.abs(report.summary.requests_per_second - 500) / 500).toBeLessThanOrEqual(0.005);
    // At the target, over the run's own 4 s (plus a little for the last request to travel).
    const arrived = target.countsBySecond(run.startAt, 1, 4100)[0]!;
    expect(arrived / 4).toBeGreaterThanOrEqual(500 * 0.995);
    // About one delta a second, numbered, the last one final; their fold is the run's result.
    expect(deltas.length).toBeGreaterThanOrEqual(4);
    expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i + 1));
    expect(deltas.map((d) => d.final)).toEqual(deltas.map((_, i) => i === deltas.length - 1));
    expect(summarize(mergeDeltas(deltas), 4)).toEqual(summarize(outcome.results, 4));
  });

  it('follows a ramp second by second at the target', async () => {
    target = await startCountingTarget();
    const params = { targets: [{ url: target.url }], duration: 4, base_rps: 100, peak_rps: 700, pattern: 'ramp_up', connections: 20, max_lateness: '5s' };
    const task = validateLoadTask(params);
    const profile = profileFor(task);
    const run = startLoad({ params: task, startAt: Date.now() + 50 });
    const report = reportOf(await run.done, task);
    expect(target.count()).toBe(profile.total);
    expect(report.summary.total_requests).toBe(profile.total);
    // The engine's own series bins by intended time: it is the schedule, to the request.
    report.timeseries.slice(0, 4).forEach((p) => expect(Math.abs(p.requests - (profile.cumulative(p.t + 1) - profile.cumulative(p.t)))).toBeLessThanOrEqual(1));
    // At the target: arrivals up to each second boundary, allowing a busy machine to be 400 ms late.
    const bins = target.countsBySecond(run.startAt, 5);
    let seen = 0;
    for (let t = 1; t <= 4; t++) {
      seen += bins[t - 1]!;
      const expected = profile.cumulative(t);
      expect(Math.abs(seen - expected), `per second at the target: ${bins.join(' ')}`).toBeLessThanOrEqual(0.4 * profile.rate(t - 0.01) + 10);
    }
    expect(bins[0]! < bins[1]! && bins[1]! < bins[2]! && bins[2]! < bins[3]!).toBe(true);
  });

  it('chooses targets by weight and sends bodies', async () => {
    target = await startCountingTarget();
    const task = validateLoadTask({
      targets: [
        { url: `${target.url}/a`, weight: 3 },
        { url: `${target.url}/b`, weight: 1, body: { hello: 'world' }, name: 'bee' },
      ],
      duration: 1,
      base_rps: 400,
    });
    const report = reportOf(await startLoad({ params: task }).done, task);
    const byPath = target.countsByPath();
    expect(byPath['/a']! + byPath['/b']!).toBe(400);
    expect(Math.abs(byPath['/a']! - 300)).toBeLessThanOrEqual(2);
    expect(target.countsByMethod()).toEqual({ GET: byPath['/a'], POST: byPath['/b'] });
    expect(report.targets.map((t) => t.total_requests)).toEqual([byPath['/a'], byPath['/b']]);
    expect(report.targets[1]).toMatchObject({ name: 'bee', method: 'POST' });
    expect(report.summary.bytes_sent).toBeGreaterThan(400 * 40);
    expect(report.summary.bytes_received).toBeGreaterThan(400 * 40);
  });

  it('warms up without sending anything to the target', async () => {
    target = await startCountingTarget();
    const task = validateLoadTask({ targets: [{ url: `${target.url}/w`, body: { a: 1 } }], duration: 0.5, base_rps: 200 });
    const created = Date.now();
    const run = startLoad({ params: task });
    expect(run.startAt - created).toBeGreaterThanOrEqual(WARM_UP_MS);
    expect(target.count()).toBe(0);
    const summary = reportOf(await run.done, task).summary;
    expect(summary).toMatchObject({ total_requests: 100, successful_requests: 100 });
    expect(target.countsByPath()).toEqual({ '/w': 100 });

    const started = performance.now();
    await warmUp(task.targets, 100).done;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(target.count()).toBe(100);
  });

  it('pipelines requests on few connections', async () => {
    target = await startCountingTarget();
    const task = validateLoadTask({ targets: [{ url: target.url }], duration: 1, base_rps: 1000, connections: 1, pipelining: 8, max_lateness: '5s' });
    expect(task.max_in_flight).toBe(8);
    const summary = reportOf(await startLoad({ params: task }).done, task).summary;
    expect(summary).toMatchObject({ total_requests: 1000, successful_requests: 1000, dropped_requests: 0 });
    expect(target.count()).toBe(1000);
  });

  it('counts failures by kind', async () => {
    target = await startCountingTarget();
    const run = async (targets: object[]) => {
      const task = validateLoadTask({ targets, duration: 0.5, base_rps: 20 });
      return reportOf(await startLoad({ params: task }).done, task).summary;
    };
    const refused = await run([{ url: `http://127.0.0.1:${await closedPort()}/` }]);
    expect(refused).toMatchObject({ total_requests: 10, failed_requests: 10, errors: { refused: 10 }, status_codes: {}, bytes_sent: 0 });

    target.setStatus(503);
    const unexpected = await run([{ url: target.url }]);
    expect(unexpected).toMatchObject({ total_requests: 10, failed_requests: 10, errors: { unexpected_status: 10 }, status_codes: { '503': 10 } });
    const accepted = await run([{ url: target.url, expected_status: 503 }]);
    expect(accepted).toMatchObject({ successful_requests: 10, failed_requests: 0 });

    target.setStatus(200);
    target.setDelay(400);
    const slow = await run([{ url: target.url, timeout: '100ms' }]);
    expect(slow).toMatchObject({ total_requests: 10, failed_requests: 10, errors: { timeout: 10 } });
  });
});
