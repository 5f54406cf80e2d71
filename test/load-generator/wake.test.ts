import { describe, expect, it } from 'vitest';
import { recordingSender } from '../support/recording-sender.js';
import { OpenModel } from '../../actors/load-generator/open-model.js';
import { MAX_SLEEP_MS, SEND_AHEAD_MS, sleepMs, WAKE_LEAD_MS, WakeSchedule } from '../../actors/load-generator/wake.js';
import { profileFor } from '../../src/schedule/patterns.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { Recorder } from '../../src/stats/index.js';
import { WHOLE } from '../../src/execution/segment.js';
import { FakeClock } from '../../src/util/clock.js';

describe('how long the sending loop sleeps', () => {
  // now, next arrival, next exact thing (deadline, backlog limit, start, end): ms to sleep
  const table: [number, number, number, number][] = [
    [0, 10, Infinity, 10 - WAKE_LEAD_MS], // aims before the arrival
    [0, 10.3, Infinity, 11 - WAKE_LEAD_MS], // rounded up: never before the lead
    [0, 10, 5, 5], // a deadline first: exactly then
    [0, 10, 10 - WAKE_LEAD_MS + 0.5, 10 - WAKE_LEAD_MS], // the arrival's lead first
    [0, Infinity, 7.2, 8], // no arrival (closed model, waiting for the start): rounded up, never early
    [0, 1.5, Infinity, 1], // at least a millisecond
    [5, 3, Infinity, 1], // an arrival already due (a fence made it wait): soon
    [0, 100, Infinity, MAX_SLEEP_MS], // at most MAX_SLEEP_MS
    [0, Infinity, Infinity, MAX_SLEEP_MS],
  ];
  it.each(table)('at %f ms, arrival at %f ms, exact at %f ms: sleeps %i ms', (now, arrival, exact, ms) => {
    expect(sleepMs(now, arrival, exact)).toBe(ms);
  });

  it('aims early by less than the send-ahead window less a millisecond (an early timer still finds the arrival)', () => {
    expect(WAKE_LEAD_MS + 1).toBeLessThan(SEND_AHEAD_MS);
  });
});


/**
 * The engine's loop on a fake clock: tick, then sleep as sleepMs says. A real timer fires off its mark
 * (`offMs(i)` for wake-up i: a millisecond early to more than one late), so each wake-up's "now" is the
 * clock's time plus that.
 */
function simulate(rps: number, offMs: (i: number) => number) {
  const clock = new FakeClock(0);
  const task = validateLoadTask({ targets: [{ url: 'http://127.0.0.1:1/' }], duration: 1, base_rps: rps, max_in_flight: 100_000 });
  const { sender, sends } = recordingSender();
  const open = new OpenModel(profileFor(task), sender, new Recorder('t', 1, 0), { startMs: 0, maxInFlight: 100_000, maxLatenessMs: 1000, aheadMs: SEND_AHEAD_MS, segment: WHOLE, weights: Float64Array.of(1) });
  const schedule = new WakeSchedule();
  let wakes = 0;
  let idle = 0;
  let firstWake = 0;
  const loop = () => {
    // The clock keeps the timer's mark; the loop sees the time it really woke.
    const off = offMs(wakes++);
    const now = clock.now() + off;
    schedule.woke(now);
    const before = sends.length;
    open.tick(now);
    if (wakes === 1) firstWake = sends.length;
    if (sends.length === before && !open.finished) idle++;
    if (!open.finished) clock.schedule(loop, off + schedule.sleep(now, open.nextDue, open.nextWake()));
  };
  // The first wake-up is at the start (exactly: the engine's waiting loop has no arrival to aim before).
  clock.schedule(loop, 0);
  clock.advance(2_000);
  return { sends, wakes, idle, finished: open.finished, firstWake };
}

describe('the sending loop on a fake clock, with timers off their mark', () => {
  // With the empty 10 ms bins each pattern may leave of 100: a timer 1.5 ms late right after others that
  // fired on time or early spaces two wake-ups a little over 10 ms apart once in the run.
  const patterns: [string, (i: number) => number, number][] = [
    ['on time', () => 0, 0],
    ['a millisecond early', () => -1, 0],
    ['a millisecond late', () => 1, 0],
    ['from 1 ms early to 1.5 ms late', (i) => [-1, 0.2, 1.5, -0.4, 0.9, 0][i % 6]!, 1],
  ];
  it.each([200, 1000, 5000].flatMap((rps) => patterns.map(([name, off, empty]) => [rps, name, off, empty] as const)))('at %i req/s, timers %s', (rps, _name, off, empty) => {
    const { sends, wakes, idle, finished, firstWake } = simulate(rps, off);
    expect(finished).toBe(true);
    // Every arrival once, in order.
    expect(sends.length).toBe(rps);
    expect(sends.every((s, i) => i === 0 || s.intended > sends[i - 1]!.intended)).toBe(true);
    // Never wakes for nothing: an early timer still finds the next arrival within the send-ahead window.
    expect(idle).toBe(0);
    const lateness = sends.map((s) => s.now - s.intended);
    // Never more than SEND_AHEAD_MS early; late only by what a timer is late beyond the lead, but for the
    // first wake-up (at the start, as the engine's: nothing is sent before it).
    const worst = Math.max(off(0), off(1), off(2), off(3), off(4), off(5));
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(-SEND_AHEAD_MS - 1e-9);
    expect(Math.max(...lateness.slice(firstWake))).toBeLessThanOrEqual(Math.max(0, worst - (WAKE_LEAD_MS - 1)) + 1e-9);
    expect(Math.max(...lateness.slice(0, firstWake))).toBeLessThanOrEqual(Math.max(0, worst) + 1e-9);
    // 10 ms bins of the sends: at most `empty` empty, none over twice the mean.
    const bins = new Array<number>(100).fill(0);
    for (const s of sends) bins[Math.max(0, Math.min(99, Math.floor(s.now / 10)))]!++;
    expect(bins.filter((b) => b === 0).length).toBeLessThanOrEqual(empty);
    expect(Math.max(...bins)).toBeLessThanOrEqual((2 * rps) / 100);
    if (rps >= 1000) expect(wakes).toBeLessThanOrEqual(rps / 4);
  });
});
