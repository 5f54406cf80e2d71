// A load worker's event loop counts toward its peer's utilization: busiestLoop reads real worker threads.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { busiestLoop } from '../../actors/node-monitor/event-loop.js';

const SPIN = `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (ms) => { const end = Date.now() + ms; while (Date.now() < end) {} parentPort.postMessage('done'); });`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('busiestLoop', () => {
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.terminate()));
  });

  it('reads the busiest worker since the last read: a spinning one near 1, then idle near 0; a thread first seen counts from the next read', async () => {
    const idle = new Worker(SPIN, { eval: true });
    const busy = new Worker(SPIN, { eval: true });
    workers.push(idle, busy);
    await Promise.all([once(idle, 'online'), once(busy, 'online')]);
    const read = busiestLoop(() => workers);
    expect(read()).toBe(0); // first sight: nothing to compare with yet
    busy.postMessage(400);
    await once(busy, 'message');
    expect(read()).toBeGreaterThan(0.6);
    await sleep(400);
    expect(read()).toBeLessThan(0.3);
  });

  it('a thread gone is forgotten, one added later counts from its second read', async () => {
    const a = new Worker(SPIN, { eval: true });
    workers.push(a);
    await once(a, 'online');
    const threads: Worker[] = [];
    const read = busiestLoop(() => threads);
    expect(read()).toBe(0);
    threads.push(a);
    a.postMessage(300);
    await once(a, 'message');
    expect(read()).toBe(0); // first seen now
    a.postMessage(300);
    await once(a, 'message');
    expect(read()).toBeGreaterThan(0.6);
    threads.pop();
    expect(read()).toBe(0);
  });
});
