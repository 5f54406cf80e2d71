// A sending loop stalled for 60 ms at 1,000 req/s, against a real target that times each arrival on its
// own thread: the loop catches up at twice the schedule's pace (open-model.ts, CATCH_UP_PACE), so the
// target never sees the 60 arrivals it found due in one burst, every arrival is sent, and the report's
// send lateness shows that the client, not the server, was late.
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { startLoad } from '../../actors/load-generator/index.js';
import { SEND_AHEAD_MS } from '../../actors/load-generator/engine.js';
import { reportOf } from '../../src/report/index.js';
import { validateLoadTask } from '../../src/plan/index.js';

// The target, on a thread of its own so that the stall of the test's thread does not stall it: answers
// 200 and keeps each arrival's time (epoch ms); sends its port, then the times when asked. The test's
// afterEach ends it.
const TARGET = `
const { parentPort } = require('node:worker_threads');
const { createServer } = require('node:http');
const times = [];
const server = createServer((req, res) => {
  times.push(performance.timeOrigin + performance.now());
  req.resume();
  req.on('end', () => res.end('ok'));
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', () => parentPort.postMessage({ times }));
`;

let worker: Worker | undefined;
afterEach(async () => {
  await worker?.terminate();
  worker = undefined;
});

const reply = <T>(w: Worker) => new Promise<T>((resolve) => w.once('message', resolve));

describe('a stalled sending loop against a real target', () => {
  it('catches up without a burst: no 10 ms bin at the target over 3x the mean, every arrival sent, the lateness reported', async () => {
    worker = new Worker(TARGET, { eval: true });
    const { port } = await reply<{ port: number }>(worker);
    const task = validateLoadTask({ targets: [{ url: `http://127.0.0.1:${port}/` }], duration: 2, base_rps: 1000, connections: 50, max_lateness: '5s' });
    const startAt = Date.now() + 400;
    const run = startLoad({ params: task, startAt, workers: 0 });
    // The stall: 60 ms of this thread's time, 1 s into the run.
    const stallAt = startAt + 1000;
    setTimeout(() => {
      const t = performance.now();
      while (performance.now() - t < 60);
    }, stallAt - Date.now());
    const report = reportOf(await run.done, task);
    worker.postMessage('times');
    const { times } = await reply<{ times: number[] }>(worker);

    expect(report.summary.total_requests).toBe(2000);
    expect(report.summary.dropped_requests).toBe(0);
    expect(times.length).toBe(2000);
    // The client was late by the stall (less what the last wake-up before it had sent ahead, up to
    // 11 ms), and says so.
    expect(report.summary.send_lateness_ms!.max).toBeGreaterThanOrEqual(60 - SEND_AHEAD_MS - 2);
    // 10 ms bins at the target from the run's start: with the catch-up turned off, one held 49 (4.9x).
    const bins = new Array<number>(200).fill(0);
    for (const t of times) {
      const i = Math.floor((t - startAt) / 10);
      if (i >= 0 && i < 200) bins[i]!++;
    }
    const around = bins.slice(95, 120);
    expect(Math.max(...around), `10 ms bins from 950 ms: ${around.join(' ')}`).toBeLessThanOrEqual(30);
    // It caught up: the bins from 1.25 s on hold the schedule's 10 a bin on average.
    const after = bins.slice(125, 195);
    expect(after.reduce((a, b) => a + b, 0) / after.length).toBeCloseTo(10, 0);
  }, 20_000);
});
