// The generator's hold on its share (pure reducer) on a fake timeline: a lease from each `held` verdict,
// counted from the sending; a pause when it lapses while load is due; resume on `held`; stop on `moved`
// or `ended`; nothing on `unknown`. And the spans the sending loop checks (held-spans.ts).
import { describe, expect, it } from 'vitest';
import { holdStep, initialHold, type Hold, type HoldEffect, type HoldEvent } from '../../actors/load-generator/share-hold.js';
import { HeldSpans } from '../../actors/load-generator/held-spans.js';
import { Fence } from '../../actors/load-generator/fence.js';
import { LEASE_MS, SILENT_MS } from '../../src/execution/share-lease.js';

function run(events: HoldEvent[], from: Hold = initialHold()): { hold: Hold; effects: HoldEffect[] } {
  let hold = from;
  const effects: HoldEffect[] = [];
  for (const e of events) {
    const step = holdStep(hold, e);
    hold = step.hold;
    effects.push(...step.effects);
  }
  return { hold, effects };
}

const held = (sentAt: number, now: number): HoldEvent => ({ type: 'verdict', sentAt, now, share: 'held' });
const tick = (now: number, scheduled = true): HoldEvent => ({ type: 'tick', now, scheduled });

describe('share hold (pure)', () => {
  it('keeps the lease margin the fencing argument needs', () => {
    expect(LEASE_MS).toBeLessThan(SILENT_MS);
    expect(SILENT_MS - LEASE_MS).toBeGreaterThanOrEqual(400);
  });

  const grant = (from: number, sentAt: number): HoldEffect => ({ type: 'grant', from, until: sentAt + LEASE_MS, sure: sentAt + SILENT_MS });
  const table: { name: string; events: HoldEvent[]; effects: HoldEffect[]; until?: number; paused?: boolean; over?: boolean }[] = [
    { name: 'nothing is held before a first held verdict', events: [tick(0)], effects: [{ type: 'paused', since: 0 }], until: 0, paused: true },
    { name: 'no pause while no load is due (before the start)', events: [tick(0, false)], effects: [], paused: false },
    { name: 'a held verdict grants from when it is heard until LEASE_MS after the sending; its arrivals are its own until SILENT_MS after', events: [held(100, 180)], effects: [grant(180, 100)], until: 100 + LEASE_MS },
    {
      name: 'a verdict heard after its lease would end grants no time to send, but still vouches for what fell due',
      events: [held(100, 100 + LEASE_MS + 10)],
      effects: [{ type: 'grant', from: 1110, until: 1110, sure: 100 + SILENT_MS }],
      until: 0,
    },
    { name: 'an older verdict heard late does not shorten the lease', events: [held(500, 520), held(250, 530)], effects: [grant(520, 500)], until: 500 + LEASE_MS },
    { name: 'no pause within the lease', events: [held(100, 150), tick(100 + LEASE_MS - 1)], effects: [grant(150, 100)], paused: false },
    { name: 'the lease lapses: paused from its end, once', events: [held(100, 150), tick(1100), tick(1200)], effects: [grant(150, 100), { type: 'paused', since: 1100 }], paused: true },
    {
      name: 'a held verdict after a lapse resumes from when it is heard (what fell due meanwhile stays dropped)',
      events: [held(100, 150), tick(1100), held(2000, 2100), tick(2200)],
      effects: [grant(150, 100), { type: 'paused', since: 1100 }, grant(2100, 2000), { type: 'resumed', pausedMs: 1000 }],
      paused: false,
      until: 3000,
    },
    { name: 'unknown (a coordinator that does not know the execution): no lease, no stop', events: [{ type: 'verdict', sentAt: 0, now: 10, share: 'unknown' }], effects: [], until: 0, over: false },
    {
      name: 'moved: stop for good, saying since when the arrivals were others\'',
      events: [held(0, 10), { type: 'verdict', sentAt: 200, now: 210, share: 'moved', movedAt: 150 }, held(400, 410), tick(5000)],
      effects: [grant(10, 0), { type: 'stop', reason: 'share moved to others', movedAt: 150 }],
      over: true,
    },
    { name: 'ended: stop; what fell due until then was its own', events: [{ type: 'verdict', sentAt: 0, now: 10, share: 'ended' }], effects: [{ type: 'stop', reason: 'execution over', movedAt: 10 }], over: true },
    {
      name: 'a paused share told it moved stops (a peer cut off that hears again after its share moved)',
      events: [held(0, 10), tick(1000), { type: 'verdict', sentAt: 4000, now: 4010, share: 'moved', movedAt: 1600 }],
      effects: [grant(10, 0), { type: 'paused', since: 1000 }, { type: 'stop', reason: 'share moved to others', movedAt: 1600 }],
      over: true,
    },
  ];
  it.each(table)('$name', ({ events, effects, until, paused, over }) => {
    const out = run(events);
    expect(out.effects).toEqual(effects);
    if (until !== undefined) expect(out.hold.until).toBe(until);
    if (paused !== undefined) expect(out.hold.pausedSince !== undefined).toBe(paused);
    if (over !== undefined) expect(out.hold.over).toBe(over);
  });

  it('election churn costs load, never the share: lapses and renewals over a long run end held', () => {
    let hold = initialHold();
    const effects: HoldEffect[] = [];
    // Renewals every 250 ms; answered except in two outages of 2 s (no coordinator in office).
    for (let t = 0; t < 20_000; t += 50) {
      const outage = (t >= 5_000 && t < 7_000) || (t >= 12_000 && t < 14_000);
      const events: HoldEvent[] = [tick(t)];
      if (t % 250 === 0 && !outage) events.push(held(t, t + 30));
      for (const e of events) {
        const step = holdStep(hold, e);
        hold = step.hold;
        effects.push(...step.effects);
      }
    }
    expect(effects.filter((e) => e.type === 'stop')).toEqual([]);
    expect(effects.filter((e) => e.type === 'paused').length).toBe(3); // before the first answer, then each outage
    expect(effects.filter((e) => e.type === 'resumed').length).toBe(3);
    expect(hold.over).toBe(false);
  });
});

describe('fence of a run (its own time)', () => {
  it('sends only while held, drops what is surely its own, keeps aside what may be another\'s until told', () => {
    const f = new Fence();
    f.grant(0, 1000, 1500);
    expect([f.may(500, 600), f.may(500, 1000), f.may(1200, 1200)]).toEqual([true, false, false]);
    expect([f.fate(1200), f.fate(1600)]).toEqual(['drop', 'doubt']);
    for (const due of [1600, 1700, 2600]) f.doubt(due, 0);
    const dropped: number[] = [];
    f.settle((_, due) => dropped.push(due));
    expect(dropped).toEqual([]); // nothing known yet
    f.grant(2500, 3200, 2700); // a later held verdict: the share was its own until 2700
    f.settle((_, due) => dropped.push(due));
    expect(dropped).toEqual([1600, 1700, 2600]);
    f.doubt(2800, 0);
    f.doubt(3100, 0);
    f.release(3000); // moved at 3000: 2800 was its own, 3100 another's
    f.settle((_, due) => dropped.push(due));
    expect(dropped).toEqual([1600, 1700, 2600, 2800]);
    expect([f.may(3100, 3100), f.fate(3100)]).toEqual([false, 'forget']);
  });

  it('at the end, hands over how many are still kept aside, counting none (whose they were is the coordinator\'s to say)', () => {
    const f = new Fence();
    f.grant(0, 1000, 1500);
    for (const due of [1600, 1700]) f.doubt(due, 0);
    expect(f.heldBack()).toBe(2);
    const dropped: number[] = [];
    f.settle((_, due) => dropped.push(due));
    expect(dropped).toEqual([]);
    expect(f.heldBack()).toBe(0); // once
    // Known to be another's (released before the end): not held, forgotten.
    f.doubt(3100, 0);
    f.release(3000);
    expect(f.heldBack()).toBe(0);
  });
});

describe('held spans', () => {
  it('holds within granted spans, merges overlapping grants, and keeps gaps', () => {
    const s = new HeldSpans();
    expect(s.holds(0)).toBe(false);
    s.grant(100, 1100);
    s.grant(350, 1350); // a renewal: the span grows
    expect([s.holds(99), s.holds(100), s.holds(1349), s.holds(1350)]).toEqual([false, true, true, false]);
    s.grant(2000, 3000); // after a lapse: a new span, the gap stays unheld
    expect([s.holds(1500), s.holds(1999), s.holds(2000), s.holds(2999)]).toEqual([false, false, true, true]);
    s.grant(2500, 2400); // empty: ignored
    expect(s.holds(3000)).toBe(false);
  });
});
