import { describe, expect, it } from 'vitest';
import { recordingSender } from '../support/recording-sender.js';
import { OpenModel } from '../../actors/load-generator/open-model.js';
import { profileFor } from '../../src/schedule/patterns.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { Recorder, summarize } from '../../src/stats/index.js';
import { WHOLE } from '../../src/execution/segment.js';
import { dueMs, ownedArrivals, ownsArrival } from '../../src/schedule/arrivals.js';
import { SEND_AHEAD_MS } from '../../actors/load-generator/engine.js';
import { WakeSchedule } from '../../actors/load-generator/wake.js';


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
  // The loop wakes as the engine's does (WAKE_LEAD_MS before the next unsent arrival, and earlier by how
  // late its timers have been: wake.ts), but late by `late(i)` at wake-up i, as a busy timer is, and sends
  // what is due within SEND_AHEAD_MS: the sends' 10 ms bins must have none over 3x the mean, and at most
  // `empty` of the 100 empty (the issue allows 5 %). A wake-up covers SEND_AHEAD_MS - WAKE_LEAD_MS (8 ms)
  // of arrivals and the next comes about 9 ms after it at 1,000 req/s: timers late by the same amount
  // each time leave no bin empty (without their lateness in the lead, 1.5 ms left 4 empty and 2.9 ms 15);
  // timers late at random by 0 to 2 ms, at most 2 (12 without it, the worst of 20 simulated runs).
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  it.each([
    [200, 'steady 0.4 ms', 0, () => 0.4],
    [1000, 'steady 0.4 ms', 0, () => 0.4],
    [1000, 'steady 1.5 ms', 0, () => 1.5],
    [1000, 'steady 2.9 ms', 0, () => 2.9],
    [1000, 'from 0 to 2 ms', 2, () => 2 * random()],
    [5000, 'steady 0.4 ms', 0, () => 0.4],
    [5000, 'steady 2.9 ms', 0, () => 2.9],
    [5000, 'from 0 to 2 ms', 2, () => 2 * random()],
  ])('at %i req/s, wake-ups late by %s: at most %i bins of 100 empty', (rps, _name, empty, late: () => number) => {
    const { open, sends } = model(rps, SEND_AHEAD_MS);
    const wakes = new WakeSchedule();
    let ticks = 0;
    for (let now = 0; !open.finished && ticks < 100_000; ticks++) {
      wakes.woke(now);
      open.tick(now);
      now += wakes.sleep(now, open.nextDue, open.nextWake()) + late();
    }
    expect(sends.length).toBe(rps);
    const bins = new Array<number>(100).fill(0);
    for (const s of sends) bins[Math.min(99, Math.floor(s.now / 10))]!++;
    const mean = rps / 100;
    expect(bins.filter((b) => b === 0).length).toBeLessThanOrEqual(empty);
    expect(Math.max(...bins)).toBeLessThanOrEqual(3 * mean);
    // Fewer wake-ups than arrivals once several fall in one window: about one per 9 ms.
    if (rps >= 1000) expect(ticks).toBeLessThanOrEqual(125);
  });
});

describe('a stalled loop catches up at twice the schedule\'s pace', () => {
  // The engine's loop (as above, timers late by 0.4 ms), stalled by each of `stalls` at the first wake-up
  // after its time (a collection, a compile job, another process on its core). What it finds due goes
  // out at CATCH_UP_PACE times the schedule's pace: no 10 ms bin of sends over 2.5x the mean (at once, a
  // 45 ms stall at 1,000 req/s put 55 in one bin, 5.5x), none sent later than the first late one was,
  // every arrival sent once and in order, and the loop on time again about the stall's length after it.
  function run(rps: number, stalls: [number, number][], maxLatenessMs = 1000, durationS = 1) {
    const task = validateLoadTask({ targets: [{ url: 'http://127.0.0.1:1/' }], duration: durationS, base_rps: rps, max_in_flight: 100_000 });
    const { sender, sends } = recordingSender();
    const open = new OpenModel(profileFor(task), sender, new Recorder('t', 1, 0), { startMs: 0, maxInFlight: 100_000, maxLatenessMs, aheadMs: SEND_AHEAD_MS, segment: WHOLE, weights: Float64Array.of(1) });
    const wakes = new WakeSchedule();
    const pending = [...stalls];
    let stallEnd = 0;
    let caughtUpAt = 0;
    let wasCatchingUp = false;
    for (let now = 0, ticks = 0; !open.finished && ticks < 100_000; ticks++) {
      wakes.woke(now);
      open.tick(now);
      if (wasCatchingUp && !open.catchingUp) caughtUpAt = now;
      wasCatchingUp = open.catchingUp;
      now += wakes.sleep(now, open.nextDue, open.nextWake()) + 0.4;
      if (pending.length > 0 && now >= pending[0]![0]) {
        now += pending.shift()![1];
        stallEnd = now;
      }
    }
    const n = durationS * 100;
    const bins = new Array<number>(n).fill(0);
    for (const s of sends) bins[Math.min(n - 1, Math.floor(s.now / 10))]!++;
    return { sends, maxOverMean: Math.max(...bins) / (rps / 100), maxLate: Math.max(...sends.map((s) => s.now - s.intended)), stallEnd, caughtUpAt };
  }

  it.each([
    [200, 45],
    [1000, 8],
    [1000, 13.5],
    [1000, 45],
    [1000, 200],
    [5000, 13.5],
    [5000, 45],
  ])('at %i req/s, a stall of %f ms', (rps, stallMs) => {
    const { sends, maxOverMean, maxLate, stallEnd, caughtUpAt } = run(rps, [[300, stallMs]]);
    expect(sends.length).toBe(rps);
    expect(sends.every((s, i) => i === 0 || s.intended > sends[i - 1]!.intended)).toBe(true);
    expect(maxOverMean).toBeLessThanOrEqual(2.5);
    // The first arrival found due is the latest: the catch-up makes none later than the stall did.
    expect(maxLate).toBeLessThanOrEqual(stallMs + 0.4 + 1e-9);
    expect(maxLate).toBeGreaterThan(stallMs - SEND_AHEAD_MS);
    expect(caughtUpAt).toBeGreaterThan(stallEnd);
    expect(caughtUpAt - stallEnd).toBeLessThanOrEqual(stallMs + SEND_AHEAD_MS);
  });

  it('one 45 ms stall in 10 s at 1,000 req/s leaves the send lateness\'s p99 at 0', () => {
    // 90 arrivals are sent late, fewer than the 100 over the p99.
    const { sends } = run(1000, [[3000, 45]], 1000, 10);
    const late = sends.map((s) => Math.max(0, s.now - s.intended)).sort((a, b) => a - b);
    expect(late.filter((l) => l > 0.4 + 1e-9).length).toBeLessThan(100);
    expect(late[Math.ceil(0.99 * late.length) - 1]).toBeLessThanOrEqual(0.4 + 1e-9);
  });

  it('a second stall while catching up starts it over: it is not released at once', () => {
    // 30 ms, then 30 ms more 20 ms into its catch-up (still 10 ms behind): at worst 40 ms late, and the
    // few milliseconds of the loop's whole-millisecond sleeps (43.4 ms).
    const { sends, maxOverMean, maxLate } = run(1000, [[300, 30], [350, 30]]);
    expect(sends.length).toBe(1000);
    expect(maxOverMean).toBeLessThanOrEqual(2.5);
    expect(maxLate).toBeLessThanOrEqual(10 + 30 + 5);
  });

  it('arrivals later than max_lateness are dropped at once; those after them are sent, none later than max_lateness', () => {
    // 1,000 req/s, max_lateness 35 ms, a 200 ms stall: about 165 arrivals could never be sent in time.
    const { sends, maxOverMean, maxLate } = run(1000, [[300, 200]], 35);
    expect(1000 - sends.length).toBeGreaterThanOrEqual(160);
    expect(1000 - sends.length).toBeLessThanOrEqual(170);
    expect(maxLate).toBeLessThanOrEqual(35);
    expect(maxOverMean).toBeLessThanOrEqual(2.5);
  });

  it('timers a few milliseconds late are not a stall', () => {
    const task = validateLoadTask({ targets: [{ url: 'http://127.0.0.1:1/' }], duration: 1, base_rps: 1000, max_in_flight: 10_000 });
    const { sender, sends } = recordingSender();
    const open = new OpenModel(profileFor(task), sender, new Recorder('t', 1, 0), { startMs: 0, maxInFlight: 10_000, maxLatenessMs: 1000, aheadMs: SEND_AHEAD_MS, segment: WHOLE, weights: Float64Array.of(1) });
    const wakes = new WakeSchedule();
    for (let now = 0, i = 0; !open.finished && i < 10_000; i++) {
      wakes.woke(now);
      open.tick(now);
      expect(open.catchingUp).toBe(false);
      now += wakes.sleep(now, open.nextDue, open.nextWake()) + (i % 3 === 0 ? 4 : 0.4);
    }
    expect(sends.length).toBe(1000);
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

describe('a segment change heard late', () => {
  // 1,000 req/s for 1 s, ticked every millisecond; arrival k is due at k ms.
  function run(segment: { from: number; to: number }, maxLatenessMs: number) {
    const task = validateLoadTask({ targets: [{ url: 'http://127.0.0.1:1/' }], duration: 1, base_rps: 1000, max_in_flight: 10_000 });
    const { sender, sends } = recordingSender();
    const recorder = new Recorder('t', 1, 0);
    const open = new OpenModel(profileFor(task), sender, recorder, { startMs: 0, maxInFlight: 10_000, maxLatenessMs, aheadMs: 0, segment, weights: Float64Array.of(1) });
    return { open, sends, recorder };
  }
  /** Arrivals owned by `first` before `at` and by `then` from it on, due in [from, to). */
  function owned(first: { from: number; to: number }, then: { from: number; to: number }, at: number, from = 0, to = Infinity) {
    let n = 0;
    for (let k = 1; k <= 1000; k++) if (k >= from && k < to && ownsArrival(k < at ? first : then, k)) n++;
    return n;
  }
  const HALF = { from: 0, to: 0.5 };
  const WHOLE_ = { from: 0, to: 1 };

  // lateness bound, when heard (ms), the change's moment (ms): sent late and dropped among those gained meanwhile
  it.each([
    [1000, 500, 400],
    [40, 500, 400],
    [40, 410, 400],
    [0, 401, 400],
  ])('max_lateness %i ms, heard at %i ms for a change at %i ms: each arrival of the share it gained meanwhile is released once, late', (lateness, heardAt, at) => {
    const { open, sends, recorder } = run(HALF, lateness);
    for (let t = 0; t <= 1000; t++) {
      if (t === heardAt) open.setSegment(WHOLE_, at, t);
      open.tick(t);
    }
    const c = recorder.results().totals;
    expect(c.scheduled).toBe(owned(HALF, WHOLE_, at));
    expect(sends.length + c.dropped).toBe(c.scheduled); // this sender answers nothing: sent is what it was handed
    // Nothing sent twice, nothing sent later than the bound.
    expect(new Set(sends.map((s) => s.intended)).size).toBe(sends.length);
    for (const s of sends) expect(s.now - s.intended).toBeLessThanOrEqual(lateness);
    // What it gained while it did not know: those past the bound were dropped.
    const gained = owned(HALF, WHOLE_, at, at, heardAt + 1) - owned(HALF, HALF, 0, at, heardAt + 1);
    const tooLate = owned(HALF, WHOLE_, at, at, heardAt - lateness) - owned(HALF, HALF, 0, at, heardAt - lateness);
    expect(c.dropped).toBe(tooLate);
    expect(gained).toBeGreaterThanOrEqual(tooLate);
  });

  it('a change heard in time applies at its moment, as before', () => {
    const { open, recorder } = run(HALF, 40);
    for (let t = 0; t <= 1000; t++) {
      if (t === 300) open.setSegment(WHOLE_, 400, t);
      open.tick(t);
    }
    const c = recorder.results().totals;
    expect(c.scheduled).toBe(owned(HALF, WHOLE_, 400));
    expect(c.dropped).toBe(0);
  });

  it('a change older than the one in force is ignored', () => {
    const { open, recorder } = run(HALF, 40);
    for (let t = 0; t <= 1000; t++) {
      if (t === 300) open.setSegment(WHOLE_, 350, t);
      if (t === 500) open.setSegment(HALF, 320, t); // an older split, heard after the newer one applied
      open.tick(t);
    }
    expect(recorder.results().totals.scheduled).toBe(owned(HALF, WHOLE_, 350));
  });

  it('closeAt counts the arrivals due before a release and never released as dropped, none sent', () => {
    const { open, sends, recorder } = run(HALF, 40);
    for (let t = 0; t <= 200; t++) open.tick(t);
    const sent = sends.length;
    open.closeAt(300);
    const c = recorder.results().totals;
    expect(sends.length).toBe(sent);
    expect(c.scheduled).toBe(owned(HALF, HALF, 0, 0, 300));
    expect(c.dropped).toBe(owned(HALF, HALF, 0, 201, 300));
  });
});

describe('a share\'s boundary on the loop\'s clock', () => {
  // 300 req/s for 10 s: every third arrival is due on a whole millisecond, and some of those due times
  // come out of the profile a hair below it (9,999.999999999998 for 10,000). A move at that millisecond
  // leaves the arrival to the share it moved from (ms from the start, as the accounting counts); the
  // run's start added to both on performance.now()'s clock rounded them equal and gave it to the share it
  // moved to as well: 3,001 of 3,000 scheduled (the fault suite's bridge partition, issue 9).
  const task = validateLoadTask({ targets: [{ url: 'http://127.0.0.1:1/' }], duration: 10, base_rps: 300, max_in_flight: 10_000 });
  const profile = profileFor(task);
  const LOW = { from: 0, to: 0.5 };
  const HIGH = { from: 0.5, to: 1 };
  const hairBelow: number[] = [];
  for (let k = 1; k <= profile.total; k++) if (dueMs(profile, k) !== Math.round(dueMs(profile, k)) && Math.abs(dueMs(profile, k) - Math.round(dueMs(profile, k))) < 1e-6) hairBelow.push(Math.round(dueMs(profile, k)));
  const starts = [0, 1234.567, 98_765.4321, 5_000_000.123, 33_000_000.77];

  it('the profile has due times a hair below a whole millisecond, which the start\'s time added rounds onto it', () => {
    expect(hairBelow.length).toBeGreaterThan(5);
    const flips = starts.flatMap((start) => hairBelow.filter((m) => [...Array(profile.total).keys()].some((i) => dueMs(profile, i + 1) < m !== start + dueMs(profile, i + 1) < start + m)));
    expect(flips.length).toBeGreaterThan(0);
  });

  it.each(starts)('started at %f ms, a share moved at such a millisecond: the two generators schedule each arrival once, as the accounting counts', (start) => {
    for (const m of hairBelow) {
      const make = (segment: { from: number; to: number }) => {
        const { sender } = recordingSender();
        const recorder = new Recorder('t', 1, 0);
        const open = new OpenModel(profile, sender, recorder, { startMs: start, maxInFlight: 10_000, maxLatenessMs: 1e9, aheadMs: 0, segment, weights: Float64Array.of(1) });
        return { open, recorder };
      };
      // The lost one stopped where its share moved; the one that took it over heard of it in time.
      const lost = make(HIGH);
      lost.open.closeAt(lost.open.boundary(m));
      const taker = make(LOW);
      taker.open.setSegment({ from: 0, to: 1 }, taker.open.boundary(m), start);
      // Heard 11 s late, it goes through what it gained at its catch-up's pace (a tick every 10 ms).
      for (let t = start + 11_000; !taker.open.finished; t += 10) taker.open.tick(t);
      const lostScheduled = lost.recorder.results().totals.scheduled;
      const takerScheduled = taker.recorder.results().totals.scheduled;
      expect(lostScheduled).toBe(ownedArrivals(profile, [{ at: 0, segment: HIGH }], m));
      expect(takerScheduled).toBe(ownedArrivals(profile, [{ at: 0, segment: LOW }, { at: m, segment: { from: 0, to: 1 } }], Infinity));
      expect(lostScheduled + takerScheduled).toBe(profile.total);
    }
  });
});
