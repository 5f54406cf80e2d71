import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { disconnected, emptyView, heard, left, nextChange, silenceLimits, tick, timingFor, type MembershipView } from '../../actors/discovery/membership.js';
import type { MembershipChange } from '../../actors/discovery/messages.js';
import type { MemberInfo } from '../../src/protocol/membership.js';

const info = (id: string, startedAt = 1_000): MemberInfo => ({
  node_id: id,
  http_url: `http://127.0.0.1/${id}`,
  addresses: [],
  roles: ['discovery'],
  capabilities: ['http_load'],
  location: 'local',
  version: '0.0.0',
  started_at: startedAt,
});

const timing = timingFor(1_000, { disconnectGraceMs: 500, cleanupAfterMs: 10_000 });

describe('membership view', () => {
  it('a silent member goes alive → suspect → dead → forgotten', () => {
    const view = emptyView();
    expect(heard(view, info('a'), 0)).toMatchObject([{ kind: 'joined' }]);
    const statusAt = (t: number) => {
      tick(view, t, timing);
      return view.members.get('a')?.status ?? 'gone';
    };
    expect(statusAt(2_499)).toBe('alive');
    expect(statusAt(2_500)).toBe('suspect');
    expect(statusAt(4_999)).toBe('suspect');
    expect(statusAt(5_000)).toBe('dead');
    expect(statusAt(14_999)).toBe('dead');
    expect(statusAt(15_000)).toBe('gone');
  });

  it('a heartbeat brings a suspect member back to alive', () => {
    const view = emptyView();
    heard(view, info('a'), 0);
    tick(view, 3_000, timing);
    expect(view.members.get('a')!.status).toBe('suspect');
    expect(heard(view, info('a'), 3_100)).toMatchObject([{ kind: 'status', from: 'suspect', member: { status: 'alive' } }]);
  });

  it('a closed connection makes a member suspect at once and dead after the grace', () => {
    const view = emptyView();
    heard(view, info('a'), 0);
    expect(disconnected(view, 'a', 100)).toMatchObject([{ kind: 'status', member: { status: 'suspect', suspected_for: 'disconnected' } }]);
    tick(view, 599, timing);
    expect(view.members.get('a')!.status).toBe('suspect');
    tick(view, 600, timing);
    expect(view.members.get('a')!.status).toBe('dead');
  });

  it('a graceful leave drops the member at once, and a late heartbeat of that incarnation does not resurrect it', () => {
    const view = emptyView();
    heard(view, info('a', 1_000), 0);
    expect(left(view, 'a', 1_000, 10)).toEqual([{ kind: 'left', node_id: 'a' }]);
    expect(view.members.has('a')).toBe(false);
    expect(heard(view, info('a', 1_000), 20)).toEqual([]);
    expect(view.members.has('a')).toBe(false);
    // A restart is a new incarnation and joins again.
    expect(heard(view, info('a', 2_000), 30)).toMatchObject([{ kind: 'joined' }]);
  });

  it('ignores frames from an older incarnation', () => {
    const view = emptyView();
    heard(view, info('a', 2_000), 0);
    expect(heard(view, info('a', 1_000), 10)).toEqual([]);
    expect(view.members.get('a')!.started_at).toBe(2_000);
  });

  it('a dead member that restarts becomes alive again', () => {
    const view = emptyView();
    heard(view, info('a', 1_000), 0);
    tick(view, 6_000, timing);
    expect(view.members.get('a')!.status).toBe('dead');
    expect(heard(view, info('a', 5_500), 6_100)).toMatchObject([{ kind: 'status', from: 'dead' }]);
  });
});

describe('a member that beats slower at rest', () => {
  it.each<[string, number | undefined, number, number]>([
    // case, the period it said, suspect after, dead after (our own period: 1 s)
    ['said nothing: our own period', undefined, 2_500, 5_000],
    ['our own period', 1_000, 2_500, 5_000],
    ['three times slower: three times the silences', 3_000, 7_500, 15_000],
    ['faster than ours: never shorter silences than ours', 500, 2_500, 5_000],
  ])('%s', (_, everyMs, suspectMs, deadMs) => {
    expect(silenceLimits({ ...(everyMs !== undefined ? { every_ms: everyMs } : {}) }, timing)).toEqual({ suspectMs, deadMs });
  });

  it('is judged by the period it said last, a hello (which says none) keeping it', () => {
    const view = emptyView();
    heard(view, info('a'), 0, 3_000);
    heard(view, info('a'), 100); // a hello
    expect(view.members.get('a')!.every_ms).toBe(3_000);
    expect(nextChange(view, timing)).toBe(100 + 7_500);
    tick(view, 7_599, timing);
    expect(view.members.get('a')!.status).toBe('alive');
    tick(view, 7_600, timing);
    expect(view.members.get('a')!.status).toBe('suspect');
    // Back at full pace: heard again, it is judged by 1 s from then.
    heard(view, info('a'), 8_000, 1_000);
    expect(nextChange(view, timing)).toBe(8_000 + 2_500);
  });
});

describe('nextChange: when the view can next change by itself', () => {
  const at = (build: (view: MembershipView) => void) => {
    const view = emptyView();
    build(view);
    return nextChange(view, timing);
  };
  const cases: { name: string; build: (view: MembershipView) => void; due: number }[] = [
    { name: 'nobody: never', build: () => undefined, due: Infinity },
    { name: 'alive members: the first to fall silent long enough to be suspect', build: (v) => (heard(v, info('a'), 300), heard(v, info('b'), 100)), due: 100 + timing.suspectAfterMs },
    { name: 'a silent suspect: when it is dead', build: (v) => (heard(v, info('a'), 0), tick(v, 2_600, timing)), due: timing.deadAfterMs },
    { name: 'a disconnected suspect: the end of the grace', build: (v) => (heard(v, info('a'), 0), disconnected(v, 'a', 100)), due: 100 + timing.disconnectGraceMs },
    { name: 'a dead member: when it is forgotten', build: (v) => (heard(v, info('a'), 0), tick(v, 5_000, timing)), due: 5_000 + timing.cleanupAfterMs },
    { name: 'a departure: when it is forgotten', build: (v) => (heard(v, info('a'), 0), left(v, 'a', 1_000, 50)), due: 50 + timing.cleanupAfterMs + 1 },
  ];
  for (const c of cases) it(c.name, () => expect(at(c.build)).toBe(c.due));

  // Small numbers so that ticking every millisecond stays cheap.
  const small = { suspectAfterMs: 25, deadAfterMs: 50, disconnectGraceMs: 5, cleanupAfterMs: 100, heartbeatMs: 10 };
  type Event = { at: number; kind: 'heard' | 'disconnected' | 'left'; node: string; startedAt: number; everyMs: number | undefined };
  const event = fc.record({
    at: fc.integer({ min: 0, max: 200 }),
    kind: fc.constantFrom('heard' as const, 'heard' as const, 'disconnected' as const, 'left' as const),
    node: fc.constantFrom('a', 'b', 'c'),
    startedAt: fc.constantFrom(1_000, 2_000),
    // Members that say their period (the same as ours, or slower at rest), and hellos that say none.
    everyMs: fc.constantFrom(undefined, 10, 30),
  });
  const apply = (view: MembershipView, e: Event) =>
    e.kind === 'heard' ? heard(view, info(e.node, e.startedAt), e.at, e.everyMs) : e.kind === 'disconnected' ? disconnected(view, e.node, e.at) : left(view, e.node, e.startedAt, e.at);

  it('a driver that ticks only at nextChange sees the same changes, at the same times, as one that ticks every millisecond', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        const sorted = [...events].sort((x, y) => x.at - y.at);
        const run = (sleep: boolean) => {
          const view = emptyView();
          const log: { t: number; change: MembershipChange }[] = [];
          const early: number[] = [];
          let next = 0;
          for (let t = 0; t <= 400; t++) {
            while (next < sorted.length && sorted[next]!.at === t) for (const change of apply(view, sorted[next++]!)) log.push({ t, change });
            const due = nextChange(view, small);
            if (sleep && t < due) continue;
            const sizes = view.members.size + 1_000 * view.departed.size;
            const changes = tick(view, t, small);
            // Ticking before nextChange changes nothing, not even silently (forgetting a departure).
            if (t < due && (changes.length > 0 || view.members.size + 1_000 * view.departed.size !== sizes)) early.push(t);
            for (const change of changes) log.push({ t, change });
          }
          return { log, early, members: [...view.members], departed: [...view.departed] };
        };
        const every = run(false);
        expect(every.early).toEqual([]);
        expect(run(true)).toEqual(every);
      }),
      { numRuns: 500 },
    );
  });
});
