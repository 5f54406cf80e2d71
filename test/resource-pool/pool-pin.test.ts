// Reservations pinned to nodes (an execution's placed scenario): granted exactly where asked, or they
// wait and are refused naming each pinned node's lack; never moved to a node with more room.
import { describe, expect, it } from 'vitest';
import { emptyPool, reducePool, type PoolEffect, type PoolEvent, type PoolState, type Waiting } from '../../actors/resource-pool/pool.js';

const pinned = (id: string, pin: Record<string, Record<string, number>>, deadline = 1_000): Omit<Waiting, 'enqueued_at' | 'order'> => {
  const totals: Record<string, number> = {};
  for (const amounts of Object.values(pin)) for (const [t, v] of Object.entries(amounts)) totals[t] = (totals[t] ?? 0) + v;
  return { allocation_id: id, requester_id: 'execution', holder: 'h', priority: 0, ttl: null, resources: Object.entries(totals).map(([type, amount]) => ({ type, amount })), deadline, pin };
};

function run(events: PoolEvent[]): { state: PoolState; effects: PoolEffect[] } {
  let state = emptyPool();
  const effects: PoolEffect[] = [];
  for (const e of events) {
    const r = reducePool(state, e);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}

const cluster: PoolEvent[] = [
  { type: 'capacity', now: 0, node: 'a', capacity: { cpu: 4, gpu: 1 } },
  { type: 'capacity', now: 0, node: 'b', capacity: { cpu: 8, gpu: 4 } },
];

describe('pinned reservations', () => {
  it.each<[string, Record<string, Record<string, number>>[], string[]]>([
    ['granted exactly where pinned, though b has more room', [{ a: { cpu: 2, gpu: 1 } }], ['granted r0 {"a":{"cpu":2,"gpu":1}}']],
    ['on two nodes at once', [{ a: { gpu: 1 }, b: { gpu: 1 } }], ['granted r0 {"a":{"gpu":1},"b":{"gpu":1}}']],
    ['refused at once beyond the pinned node capacity, naming it', [{ a: { gpu: 2 } }], ['refused r0: more than the nodes it is placed on have (gpu on a: needs 2, 1 free)']],
    ['waits while the pinned node is taken, then is refused at its deadline', [{ a: { gpu: 1 } }, { a: { gpu: 1 } }], ['granted r0 {"a":{"gpu":1}}', 'refused r1: not enough free resources before the allocation timeout (gpu on a: needs 1, 0 free)']],
  ])('%s', (_, pins, log) => {
    const { effects } = run([
      ...cluster,
      ...pins.map((pin, i): PoolEvent => ({ type: 'request', now: 0, request: pinned(`r${i}`, pin) })),
      { type: 'tick', now: 2_000 },
    ]);
    expect(effects.map((e) => (e.type === 'granted' ? `granted ${e.allocation.allocation_id} ${JSON.stringify(e.allocation.placement)}` : e.type === 'refused' ? `refused ${e.allocation_id}: ${e.reason}` : e.type))).toEqual(log);
  });

  it('a waiting pinned reservation is granted when its node frees up', () => {
    const { effects } = run([
      ...cluster,
      { type: 'request', now: 0, request: pinned('r0', { a: { gpu: 1 } }) },
      { type: 'request', now: 0, request: pinned('r1', { a: { gpu: 1 } }, 5_000) },
      { type: 'release', now: 100, allocation_id: 'r0' },
    ]);
    expect(effects.map((e) => `${e.type} ${'allocation' in e ? e.allocation.allocation_id : ''}`)).toEqual(['granted r0', 'released r0', 'granted r1']);
  });
});
