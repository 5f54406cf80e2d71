// The system clock's one-shot timers against its own now(): the protocols compare the two, so a timer
// must never fire before now() says it is due (Node's timers, on the monotonic clock, often do by 1 ms).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/util/clock.js';

describe('systemClock.schedule', () => {
  it('never fires before now() has moved on by the delay asked', async () => {
    const early: number[] = [];
    const fired: Promise<void>[] = [];
    // 400 timers of 5-24 ms, set in 20 batches at scattered sub-millisecond phases.
    for (let batch = 0; batch < 20; batch++) {
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      for (let k = 0; k < 20; k++) {
        const ms = 5 + k;
        const due = systemClock.now() + ms;
        fired.push(new Promise((resolve) => systemClock.schedule(() => {
          if (systemClock.now() < due) early.push(due - systemClock.now());
          resolve();
        }, ms)));
      }
    }
    await Promise.all(fired);
    expect(early).toEqual([]);
  });

  it('is cancelled, also while it waits out the rest of an early wake-up', async () => {
    let calls = 0;
    // Cancelled at the moment they fall due, when some have woken early and wait out the rest.
    const handles = Array.from({ length: 200 }, () => systemClock.schedule(() => calls++, 5));
    await new Promise((r) => setTimeout(r, 5));
    for (const h of handles) systemClock.cancel(h);
    const atCancel = calls;
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(atCancel);
    const never = systemClock.schedule(() => calls++, 1);
    systemClock.cancel(never);
    await new Promise((r) => setTimeout(r, 10));
    expect(calls).toBe(atCancel);
  });
});

describe('systemClock.schedule with the wall clock stepped back', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('fires on the monotonic clock, not a step later', async () => {
    const realNow = Date.now.bind(Date);
    const start = performance.now();
    const fired = new Promise<number>((resolve) => systemClock.schedule(() => resolve(performance.now()), 20));
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() - 10_000); // NTP stepped it back 10 s
    const at = await fired;
    expect(at - start).toBeGreaterThanOrEqual(19);
    expect(at - start).toBeLessThan(1_000);
  });
});

describe('systemClock.wake', () => {
  it('fires once after about the delay, on the runtime timer alone, and is cancelled', async () => {
    const start = performance.now();
    const at = await new Promise<number>((resolve) => systemClock.wake(() => resolve(performance.now()), 20));
    // Node's timers round the monotonic clock down: a wake-up may come up to a millisecond early.
    expect(at - start).toBeGreaterThanOrEqual(19);
    let calls = 0;
    systemClock.cancel(systemClock.wake(() => calls++, 1));
    await new Promise((r) => setTimeout(r, 10));
    expect(calls).toBe(0);
  });
});
