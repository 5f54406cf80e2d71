// A coordinator whose own event loop stalled past its lease (a loaded host) asks once more before it
// steps down: stale acknowledgements of its own making do not cost it office.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ELECTION_TIMING as T, initialState, inOffice, lapseGrace, maxElectionTimeout, nextTick, step, type ElectionState } from '../../actors/coordinator/election.js';

const random = () => 0.5;

function coordinatorAt(now: number): ElectionState {
  const base = initialState('a', { term: 3, votedFor: 'a' }, ['a', 'b', 'c'], now, T, random);
  return { ...base, role: 'coordinator', coordinator: 'a', acks: new Map([['b', now + T.leaseMs], ['c', now + T.leaseMs]]), nextHeartbeat: now + T.heartbeatMs };
}

const heartbeatsIn = (effects: ReturnType<typeof step>['effects']) =>
  effects.filter((e) => e.type === 'send' && e.message.type === 'coordinator.heartbeat').map((e) => (e.type === 'send' ? e.to : ''));
const heartbeatAt = (s: ElectionState, at: number) => heartbeatsIn(step(s, { type: 'tick', now: at }, T, random).effects).length > 0;

describe('a coordinator whose lease lapsed', () => {
  it('after a 600 ms stall of its own: acts on nothing, heartbeats at once, and keeps office when a majority answers', () => {
    const woke = 1_000 + T.leaseMs + 100;
    const { state, effects } = step(coordinatorAt(1_000), { type: 'tick', now: woke }, T, random);
    expect(state.role).toBe('coordinator');
    expect(inOffice(state, woke)).toBe(false);
    expect(heartbeatsIn(effects).sort()).toEqual(['b', 'c']);
    expect(effects.some((e) => e.type === 'role')).toBe(false);
    const acked = step(state, { type: 'receive', now: woke + 30, from: 'b', message: { type: 'coordinator.ack', term: 3, from: 'b', ok: true, sentAt: woke } }, T, random).state;
    expect(inOffice(acked, woke + 30)).toBe(true);
    const next = step(acked, { type: 'tick', now: woke + 40 }, T, random).state;
    expect(next.role).toBe('coordinator');
    expect(next.lapsedAt).toBeNull();
  });

  it('steps down when no majority answers within the grace, and not before', () => {
    const woke = 1_000 + T.leaseMs + 100;
    let s = step(coordinatorAt(1_000), { type: 'tick', now: woke }, T, random).state;
    s = step(s, { type: 'tick', now: woke + lapseGrace(T) - 20 }, T, random).state;
    expect(s.role).toBe('coordinator');
    const { state, effects } = step(s, { type: 'tick', now: woke + lapseGrace(T) }, T, random);
    expect(state.role).toBe('follower');
    expect(effects).toContainEqual({ type: 'role', role: 'follower', term: 3, coordinator: null });
  });

  it('steps down at once when an answer carries a newer term', () => {
    const woke = 1_000 + T.leaseMs + 100;
    const s = step(coordinatorAt(1_000), { type: 'tick', now: woke }, T, random).state;
    const { state } = step(s, { type: 'receive', now: woke + 10, from: 'b', message: { type: 'coordinator.ack', term: 4, from: 'b', ok: false, sentAt: woke } }, T, random);
    expect(state.role).toBe('follower');
    expect(state.term).toBe(4);
    expect(state.lapsedAt).toBeNull();
  });
});

describe('nextTick: when a tick can next change anything', () => {
  const ack = (s: ElectionState, from: string, at: number) =>
    step(s, { type: 'receive', now: at, from, message: { type: 'coordinator.ack', term: 3, from, ok: true, sentAt: at } }, T, random).state;
  const cases: { name: string; state: () => ElectionState; now: number; due: number }[] = [
    { name: 'a follower: its election deadline', state: () => initialState('a', { term: 0, votedFor: null }, ['a', 'b', 'c'], 1_000, T, random), now: 1_000, due: 1_000 + T.electionTimeoutMinMs + Math.floor(0.5 * T.electionJitterMs) },
    { name: 'a coordinator in office: its next heartbeat', state: () => coordinatorAt(1_000), now: 1_010, due: 1_000 + T.heartbeatMs },
    // Acks of b at 1,000 and c at 400: the majority (a, b) holds until b's ack is older than the lease.
    { name: 'a coordinator whose lease ends before its heartbeat: the lease end', state: () => ({ ...coordinatorAt(1_000), acks: new Map([['b', 1_000 + T.leaseMs], ['c', 400 + T.leaseMs]]), nextHeartbeat: 5_000 }), now: 1_100, due: 1_000 + T.leaseMs + 1 },
    { name: 'a coordinator alone: its heartbeats only', state: () => ({ ...initialState('a', { term: 3, votedFor: 'a' }, [], 0, T, random), role: 'coordinator' as const, coordinator: 'a', nextHeartbeat: 9_000 }), now: 100, due: 9_000 },
    { name: 'a coordinator whose lease lapsed unnoticed: at once', state: () => coordinatorAt(1_000), now: 1_000 + T.leaseMs + 50, due: 1_000 + T.leaseMs + 50 },
    { name: 'a coordinator lapsed and asking: its grace end or heartbeat', state: () => ({ ...coordinatorAt(0), lapsedAt: 800, nextHeartbeat: 5_000 }), now: 900, due: 800 + lapseGrace(T) },
    { name: 'a coordinator lapsed, acknowledged again: at once (to clear the lapse)', state: () => ack({ ...coordinatorAt(0), lapsedAt: 800 }, 'b', 850), now: 860, due: 860 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(nextTick(c.state(), c.now, T)).toBe(c.due);
    });
  }

  it('a tick before nextTick changes nothing; at nextTick it acts', () => {
    const s = coordinatorAt(1_000);
    const due = nextTick(s, 1_000, T);
    const early = step(s, { type: 'tick', now: due - 1 }, T, random);
    expect(early.state).toBe(s);
    expect(early.effects).toEqual([]);
    expect(heartbeatsIn(step(s, { type: 'tick', now: due }, T, random).effects).sort()).toEqual(['b', 'c']);
  });
});

describe('pace: heartbeats at full rate only while something relies on the lease', () => {

  it('at rest a coordinator heartbeats every restHeartbeatMs, busy every heartbeatMs', () => {
    const rest = step(coordinatorAt(1_000), { type: 'tick', now: 1_000 + T.heartbeatMs }, T, random).state;
    expect(rest.nextHeartbeat).toBe(1_000 + T.heartbeatMs + T.restHeartbeatMs);
    const busy = step({ ...coordinatorAt(1_000), busy: true }, { type: 'tick', now: 1_000 + T.heartbeatMs }, T, random).state;
    expect(busy.nextHeartbeat).toBe(1_000 + 2 * T.heartbeatMs);
    // Both keep their lease between heartbeats with room for lag, and followers hear them well within
    // an election timeout; after a heartbeat at rest the next in rank still stands within 2 s.
    expect(T.leaseMs - T.heartbeatMs).toBeGreaterThanOrEqual(400);
    expect(T.restLeaseMs - T.restHeartbeatMs).toBeGreaterThanOrEqual(400);
    expect(T.restHeartbeatMs).toBeLessThan((T.restLeaseMs - T.leaseMs + T.electionTimeoutMinMs) / 2);
    expect(T.restLeaseMs - T.leaseMs + T.electionTimeoutMinMs + T.electionRankSpacingMs + T.electionJitterMs).toBeLessThan(1_600);
  });

  it('a heartbeat names its lease: the short one busy, the long one at rest', () => {
    const leases = (s: ElectionState, at: number) =>
      step(s, { type: 'tick', now: at }, T, random).effects.flatMap((e) => (e.type === 'send' && e.message.type === 'coordinator.heartbeat' ? [e.message.leaseMs] : []));
    expect(leases(coordinatorAt(1_000), 1_000 + T.heartbeatMs)).toEqual([T.restLeaseMs, T.restLeaseMs]);
    expect(leases({ ...coordinatorAt(1_000), busy: true }, 1_000 + T.heartbeatMs)).toEqual([T.leaseMs, T.leaseMs]);
  });

  it('an acknowledgement holds for the lease its heartbeat granted, never longer than the longest, the short one when unnamed', () => {
    const acked = (leaseMs: number | undefined) => {
      const s = { ...coordinatorAt(1_000), acks: new Map<string, number>() };
      return step(s, { type: 'receive', now: 1_010, from: 'b', message: { type: 'coordinator.ack', term: 3, from: 'b', ok: true, sentAt: 1_000, ...(leaseMs === undefined ? {} : { leaseMs }) } }, T, random).state;
    };
    expect(acked(T.restLeaseMs).acks.get('b')).toBe(1_000 + T.restLeaseMs);
    expect(inOffice(acked(T.restLeaseMs), 1_000 + T.restLeaseMs)).toBe(true);
    expect(inOffice(acked(T.restLeaseMs), 1_001 + T.restLeaseMs)).toBe(false);
    expect(acked(undefined).acks.get('b')).toBe(1_000 + T.leaseMs);
    expect(acked(60_000).acks.get('b')).toBe(1_000 + Math.max(T.leaseMs, T.restLeaseMs));
  });
});

describe('a follower holds the lease a heartbeat granted', () => {
  const follower = () => initialState('b', { term: 3, votedFor: 'a' }, ['a', 'b', 'c'], 0, T, random);
  const hear = (s: ElectionState, now: number, leaseMs?: number) =>
    step(s, { type: 'receive', now, from: 'a', message: { type: 'coordinator.heartbeat', term: 3, coordinator: 'a', sentAt: now, ...(leaseMs === undefined ? {} : { leaseMs }) } }, T, random);
  const grants = (s: ElectionState, now: number) => {
    const prevote = step(s, { type: 'receive', now, from: 'c', message: { type: 'prevote.request', term: 4, candidate: 'c' } }, T, random).effects;
    const vote = step(s, { type: 'receive', now, from: 'c', message: { type: 'vote.request', term: 4, candidate: 'c' } }, T, random).effects;
    const granted = (effects: typeof vote) => effects.some((e) => e.type === 'send' && (e.message.type === 'prevote.reply' || e.message.type === 'vote.reply') && e.message.granted);
    return { prevote: granted(prevote), vote: granted(vote) };
  };

  it('after a heartbeat at rest: votes for nobody else within the long lease, and stands only after it', () => {
    const { state, effects } = hear(follower(), 5_000, T.restLeaseMs);
    expect(effects).toContainEqual({ type: 'send', to: 'a', message: { type: 'coordinator.ack', term: 3, from: 'b', ok: true, sentAt: 5_000, leaseMs: T.restLeaseMs } });
    expect(grants(state, 5_000 + T.restLeaseMs - 1)).toEqual({ prevote: false, vote: false });
    expect(grants(state, 5_000 + T.restLeaseMs)).toEqual({ prevote: true, vote: true });
    expect(nextTick(state, 5_000, T)).toBeGreaterThanOrEqual(5_000 + T.restLeaseMs + T.electionTimeoutMinMs - T.leaseMs);
    expect(nextTick(state, 5_000, T)).toBeLessThanOrEqual(5_000 + maxElectionTimeout(T));
  });

  it('a short lease after a long one does not shorten it (the coordinator may count on the long one)', () => {
    const long = hear(follower(), 5_000, T.restLeaseMs).state;
    const short = hear(long, 5_100, T.leaseMs).state;
    expect(short.leaseHeldUntil).toBe(5_000 + T.restLeaseMs);
    expect(grants(short, 5_100 + T.leaseMs + 1)).toEqual({ prevote: false, vote: false });
  });

  it('a heartbeat without a lease (an earlier version) grants the short one', () => {
    const { state } = hear(follower(), 5_000);
    expect(state.leaseHeldUntil).toBe(5_000 + T.leaseMs);
    expect(grants(state, 5_000 + T.leaseMs)).toEqual({ prevote: true, vote: true });
  });
});

describe('pace: becoming busy or idle', () => {

  it('becoming busy, a coordinator heartbeats at the next tick; becoming idle changes nothing at once', () => {
    const resting = { ...coordinatorAt(1_000), nextHeartbeat: 1_300 };
    const busy = step(resting, { type: 'pace', now: 1_050, busy: true }, T, random);
    expect(busy.effects).toEqual([]);
    expect(nextTick(busy.state, 1_050, T)).toBe(1_050);
    expect(heartbeatAt(busy.state, 1_050)).toBe(true);
    const idle = step({ ...resting, busy: true }, { type: 'pace', now: 1_050, busy: false }, T, random).state;
    expect(idle.nextHeartbeat).toBe(1_300);
    expect(idle.busy).toBe(false);
  });

  it('a follower only remembers it (for when it is elected)', () => {
    const f = initialState('a', { term: 0, votedFor: null }, ['a', 'b', 'c'], 1_000, T, random);
    const s = step(f, { type: 'pace', now: 1_010, busy: true }, T, random).state;
    expect(s).toMatchObject({ busy: true, role: 'follower', nextHeartbeat: f.nextHeartbeat, electionDeadline: f.electionDeadline });
  });
});
