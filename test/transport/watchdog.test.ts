// The time limit of each step on a request stream (Watchdog, src/transport/libp2p/deadline.ts): one timer per
// limit, rescheduled for each step rather than created anew, and a step that ended in time never expires.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Watchdog } from '../../src/transport/libp2p/deadline.js';

describe('Watchdog', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function watched() {
    const w = { expirations: 0, watch: undefined as unknown as Watchdog };
    w.watch = new Watchdog(() => w.expirations++);
    return w;
  }

  it('expires once when a step outlasts its limit', () => {
    const w = watched();
    w.watch.arm(1_000);
    vi.advanceTimersByTime(999);
    expect(w.expirations).toBe(0);
    vi.advanceTimersByTime(1);
    expect(w.expirations).toBe(1);
    expect(w.watch.expired).toBe(true);
    vi.advanceTimersByTime(10_000);
    expect(w.expirations).toBe(1);
  });

  it('never expires a step that ended in time, though its timer comes due later', () => {
    const w = watched();
    w.watch.arm(1_000);
    vi.advanceTimersByTime(500);
    w.watch.disarm();
    vi.advanceTimersByTime(5_000);
    expect(w.expirations).toBe(0);
    expect(w.watch.expired).toBe(false);
  });

  it('reschedules the one timer of a limit for each step of that limit, counting from the step', () => {
    const w = watched();
    for (let step = 0; step < 5; step++) {
      w.watch.arm(1_000);
      vi.advanceTimersByTime(900);
      w.watch.disarm();
      vi.advanceTimersByTime(300); // the last step's timer comes due meanwhile, for nothing
    }
    expect(vi.getTimerCount()).toBeLessThanOrEqual(1);
    w.watch.arm(1_000);
    vi.advanceTimersByTime(999);
    expect(w.expirations).toBe(0);
    vi.advanceTimersByTime(1);
    expect(w.expirations).toBe(1);
  });

  it('keeps a timer per limit, and an earlier step’s timer does not expire a step of another limit', () => {
    const w = watched();
    w.watch.arm(1_000); // waiting for a request
    vi.advanceTimersByTime(100);
    w.watch.disarm();
    w.watch.arm(5_000); // writing its reply: the 1 s timer comes due during it
    vi.advanceTimersByTime(1_500);
    expect(w.expirations).toBe(0);
    expect(vi.getTimerCount()).toBe(1); // the 1 s timer fired (for nothing); the 5 s one is pending
    w.watch.disarm();
    w.watch.arm(1_000);
    expect(vi.getTimerCount()).toBe(2);
    vi.advanceTimersByTime(1_000);
    expect(w.expirations).toBe(1);
  });

  it('lets go of old timers when a caller varies its limit, and of all of them when stopped', () => {
    const w = watched();
    for (let ms = 1_000; ms < 1_010; ms++) {
      w.watch.arm(ms);
      w.watch.disarm();
    }
    expect(vi.getTimerCount()).toBeLessThanOrEqual(4);
    w.watch.arm(2_000); // after the old ones were let go: it still expires
    vi.advanceTimersByTime(2_000);
    expect(w.expirations).toBe(1);
    w.watch.arm(2_000);
    w.watch.stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(w.expirations).toBe(1);
  });
});
