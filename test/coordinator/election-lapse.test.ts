// A coordinator whose own event loop stalled past its lease (a loaded host) asks once more before it
// steps down: stale acknowledgements of its own making do not cost it office.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ELECTION_TIMING as T, initialState, inOffice, lapseGrace, step, type ElectionState } from '../../actors/coordinator/election.js';

const random = () => 0.5;

function coordinatorAt(now: number): ElectionState {
  const base = initialState('a', { term: 3, votedFor: 'a' }, ['a', 'b', 'c'], now, T, random);
  return { ...base, role: 'coordinator', coordinator: 'a', acks: new Map([['b', now], ['c', now]]), nextHeartbeat: now + T.heartbeatMs };
}

const heartbeatsIn = (effects: ReturnType<typeof step>['effects']) =>
  effects.filter((e) => e.type === 'send' && e.message.type === 'coordinator.heartbeat').map((e) => (e.type === 'send' ? e.to : ''));

describe('a coordinator whose lease lapsed', () => {
  it('after a 600 ms stall of its own: acts on nothing, heartbeats at once, and keeps office when a majority answers', () => {
    const woke = 1_000 + T.leaseMs + 100;
    const { state, effects } = step(coordinatorAt(1_000), { type: 'tick', now: woke }, T, random);
    expect(state.role).toBe('coordinator');
    expect(inOffice(state, woke, T)).toBe(false);
    expect(heartbeatsIn(effects).sort()).toEqual(['b', 'c']);
    expect(effects.some((e) => e.type === 'role')).toBe(false);
    const acked = step(state, { type: 'receive', now: woke + 30, from: 'b', message: { type: 'coordinator.ack', term: 3, from: 'b', ok: true, sentAt: woke } }, T, random).state;
    expect(inOffice(acked, woke + 30, T)).toBe(true);
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
