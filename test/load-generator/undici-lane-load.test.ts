// undici's Client loads with the first lane that needs it (undici-lane.ts): what is dispatched, expired or
// destroyed before it has loaded ends as it would after. Each test takes fresh modules, so its lanes are
// created with undici not yet loaded and its exchanges dispatched at once wait for the load.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import type { Harness } from '../support/http-harness.js';

async function freshHarness(url: string, connections: number): Promise<Harness> {
  vi.resetModules();
  const { harness } = await import('../support/http-harness.js');
  return harness([{ url }], { connections, transport: 'undici' });
}

describe('undici lanes created before undici has loaded', () => {
  let target: CountingTarget;
  let h: Harness | undefined;
  beforeEach(async () => {
    target = await startCountingTarget();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await target.close();
  });

  it('send what was dispatched meanwhile, each once', async () => {
    h = await freshHarness(`${target.url}/a`, 2);
    const started = [h.start(), h.start(), h.start(), h.start(), h.start()];
    expect(target.count()).toBe(0);
    const outcomes = await Promise.all(started.map((s) => s.done));
    expect(outcomes.map((o) => [o.status, o.error, o.written])).toEqual(Array(5).fill([200, 'ok', true]));
    expect(target.countsByPath()).toEqual({ '/a': 5 });
    // Later lanes find it loaded and send at once.
    expect(await h.send()).toMatchObject({ status: 200, error: 'ok' });
    expect(target.count()).toBe(6);
  });

  it('time out an exchange that expired meanwhile, and send the rest', async () => {
    h = await freshHarness(`${target.url}/b`, 2);
    const expired = h.start();
    const kept = h.start();
    expired.exchange.expire();
    expect(await expired.done).toMatchObject({ error: 'timeout' });
    expect(await kept.done).toMatchObject({ status: 200, error: 'ok' });
    expect(target.countsByPath()).toEqual({ '/b': 1 });
  });

  it('fail what was dispatched meanwhile when destroyed before the load', async () => {
    h = await freshHarness(`${target.url}/c`, 1);
    const started = [h.start(), h.start()];
    const closing = h.close();
    h = undefined;
    const outcomes = await Promise.all(started.map((s) => s.done));
    await closing;
    expect(outcomes.map((o) => o.error)).toEqual(['aborted', 'aborted']);
    expect(target.count()).toBe(0);
  });
});
