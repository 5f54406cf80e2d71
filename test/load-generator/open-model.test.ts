import { describe, expect, it } from 'vitest';
import { OpenModel } from '../../actors/load-generator/open-model.js';
import type { Sender } from '../../actors/load-generator/sender.js';
import { profileFor } from '../../src/schedule/patterns.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { Recorder, summarize } from '../../src/stats/index.js';
import { WHOLE } from '../../src/execution/segment.js';
import { SEND_AHEAD_MS } from '../../actors/load-generator/engine.js';

/** Records what the model hands over; every request stays in flight (no completions). */
function recordingSender(): { sender: Sender; sends: { intended: number; now: number }[] } {
  const sends: { intended: number; now: number }[] = [];
  const sender = {
    inFlight: 0,
    onFree: () => {},
    send(_target: number, intended: number, now: number) {
      sends.push({ intended, now });
      this.inFlight++;
    },
  };
  return { sender: sender as unknown as Sender, sends };
}

function model(rps: number, aheadMs: number) {
  const task = validateLoadTask({ targets: [{ url: 'http://127.0.0.1:1/' }], duration: 1, base_rps: rps, max_in_flight: 10_000 });
  const { sender, sends } = recordingSender();
  const recorder = new Recorder('t', 1, 0);
  const open = new OpenModel(profileFor(task), sender, recorder, { startMs: 0, maxInFlight: 10_000, maxLatenessMs: 1000, aheadMs, segment: WHOLE, weights: Float64Array.of(1) });
  return { open, sends, recorder };
}

describe('open model, sending ahead', () => {
  // rate, ahead, tick at: arrivals handed over (due at k/rate s), next wake (ms)
  const table: [number, number, number, number, number][] = [
    [1000, 0, 1, 1, 2],
    [1000, 2, 1, 3, 4],
    [1000, 2, 0.5, 2, 3],
    [1000, 4, 1, 5, 6],
    [5000, 2, 1, 15, 3.2],
    [100, 2, 10, 1, 20],
  ];
  it.each(table)('at %i req/s, %i ms ahead, a tick at %f ms sends %i and next wakes at %f ms', (rps, ahead, at, sent, next) => {
    const { open, sends } = model(rps, ahead);
    open.tick(at);
    expect(sends.length).toBe(sent);
    // Never sent more than `ahead` before its due time, nor later than the tick.
    for (const s of sends) {
      expect(s.now).toBe(at);
      expect(s.intended - s.now).toBeLessThanOrEqual(ahead + 1e-9);
    }
    // The loop sleeps until the next unsent arrival is due, not until its ahead window opens.
    expect(open.nextWake()).toBeCloseTo(next, 9);
  });

  it('ticking at each wake sends every arrival once, in order, none later than the tick that found it due', () => {
    const { open, sends } = model(1000, 2);
    let ticks = 0;
    for (let now = 0; !open.finished && ticks < 10_000; ticks++) {
      open.tick(now);
      // A wake-up about 0.4 ms late, as a timer on a busy loop is.
      now = open.nextWake() + 0.4;
    }
    expect(sends.map((s) => s.intended)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(Math.max(...sends.map((s) => s.now - s.intended))).toBeLessThanOrEqual(0.4 + 1e-9);
    // About a third of the wake-ups of one per arrival.
    expect(ticks).toBeLessThanOrEqual(400);
  });
});

describe('the engine\'s send-ahead window keeps 10 ms bins even', () => {
  // The loop wakes at the next unsent arrival (late by `lateMs`, as a busy timer is) and sends what is due
  // within SEND_AHEAD_MS: the sends' 10 ms bins must have none empty and none over 3x the mean.
  it.each([
    [200, 0.4],
    [1000, 0.4],
    [1000, 1.5],
    [5000, 0.4],
  ])('at %i req/s, wake-ups %f ms late', (rps, lateMs) => {
    const { open, sends } = model(rps, SEND_AHEAD_MS);
    let ticks = 0;
    for (let now = 0; !open.finished && ticks < 100_000; ticks++) {
      open.tick(now);
      now = open.nextWake() + lateMs;
    }
    expect(sends.length).toBe(rps);
    const bins = new Array<number>(100).fill(0);
    for (const s of sends) bins[Math.min(99, Math.floor(s.now / 10))]!++;
    const mean = rps / 100;
    expect(bins.filter((b) => b === 0)).toEqual([]);
    expect(Math.max(...bins)).toBeLessThanOrEqual(3 * mean);
    // Fewer wake-ups than arrivals once several fall in one window.
    if (rps >= 1000) expect(ticks).toBeLessThanOrEqual(rps / 4);
  });
});

describe('latency of an arrival sent ahead of its due time', () => {
  it('runs from the send, never less than the service time', () => {
    const recorder = new Recorder('t', 1, 0);
    // Due at 10 ms, sent at 8.5 ms, answered at 9 ms: 0.5 ms, not nothing.
    recorder.response(0, 10, 8.5, 9, 200, -1, 10, 10);
    // Due at 10 ms, sent late at 12 ms, answered at 13 ms: 3 ms from the due time.
    recorder.response(0, 10, 12, 13, 200, -1, 10, 10);
    const s = summarize(recorder.results(), 1);
    expect(s.latency_ms.min).toBeCloseTo(0.5, 2);
    expect(s.latency_ms.max).toBeCloseTo(3, 2);
    expect(s.service_time_ms.max).toBeCloseTo(1, 2);
  });
});
