import { describe, expect, it } from 'vitest';
import { emptyPool, freeByNode, place, reducePool, type PoolEffect, type PoolEvent, type PoolState, type Waiting } from '../../actors/resource-pool/pool.js';

const GB = 1e9;
const req = (id: string, resources: Waiting['resources'], over: Partial<Omit<Waiting, 'enqueued_at' | 'order'>> = {}): Omit<Waiting, 'enqueued_at' | 'order'> => ({
  allocation_id: id, requester_id: 'test', holder: 'h', priority: 0, ttl: null, resources, deadline: 0, ...over,
});

function run(events: PoolEvent[], start: PoolState = emptyPool()) {
  let state = start;
  const effects: PoolEffect[] = [];
  for (const e of events) {
    const r = reducePool(state, e);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects, log: effects.map(show) };
}
function show(e: PoolEffect): string {
  switch (e.type) {
    case 'granted': return `granted ${e.allocation.allocation_id} ${JSON.stringify(e.allocation.placement)}`;
    case 'refused': return `refused ${e.allocation_id}: ${e.shortfall.map((s) => `${s.type} -${s.missing}`).join(',')}`;
    case 'released': return `released ${e.allocation.allocation_id} (${e.reason})`;
    case 'unknown': return `unknown ${e.allocation_id}`;
  }
}

const cluster: PoolEvent[] = [
  { type: 'capacity', now: 0, node: 'a', capacity: { cpu: 4, memory: 8 * GB } },
  { type: 'capacity', now: 0, node: 'b', capacity: { cpu: 2, memory: 4 * GB, gpu: 1 } },
];

describe('placement', () => {
  it.each([
    ['one node fits: the one left freest', [{ type: 'cpu', amount: 2 }], { a: { cpu: 2 } }],
    ['only b has a gpu', [{ type: 'gpu', amount: 1 }, { type: 'cpu', amount: 1 }], { b: { gpu: 1, cpu: 1 } }],
    ['split across nodes, most free first', [{ type: 'cpu', amount: 5 }], { a: { cpu: 4 }, b: { cpu: 1 } }],
    ['does not fit', [{ type: 'cpu', amount: 7 }], undefined],
  ] as const)('%s', (_, resources, expected) => {
    expect(place([...resources], { a: { cpu: 4, memory: 8 * GB }, b: { cpu: 2, memory: 4 * GB, gpu: 1 } })).toEqual(expected);
  });
});

describe('allocation reducer', () => {
  it('grants within capacity, refuses beyond the whole cluster at once with the shortfall', () => {
    const { log } = run([
      ...cluster,
      { type: 'request', now: 1, request: req('r1', [{ type: 'cpu', amount: 3 }]) },
      { type: 'request', now: 2, request: req('r2', [{ type: 'cpu', amount: 10 }, { type: 'tpu', amount: 1 }]) },
    ]);
    expect(log).toEqual(['granted r1 {"a":{"cpu":3}}', 'refused r2: cpu -7,tpu -1']);
  });

  it('a request that must wait is granted when room is released, or refused at its deadline', () => {
    const { log } = run([
      ...cluster,
      { type: 'request', now: 0, request: req('big', [{ type: 'cpu', amount: 5 }]) },
      { type: 'request', now: 1, request: req('w1', [{ type: 'cpu', amount: 2 }], { deadline: 100 }) },
      { type: 'request', now: 2, request: req('w2', [{ type: 'cpu', amount: 3 }], { deadline: 50 }) },
      { type: 'release', now: 10, allocation_id: 'big' },
      { type: 'request', now: 11, request: req('w3', [{ type: 'cpu', amount: 5 }], { deadline: 20 }) },
      { type: 'tick', now: 19 },
      { type: 'tick', now: 20 },
    ]);
    expect(log).toEqual([
      'granted big {"a":{"cpu":4},"b":{"cpu":1}}',
      'released big (released)',
      'granted w1 {"a":{"cpu":2}}',
      'granted w2 {"a":{"cpu":2},"b":{"cpu":1}}',
      'refused w3: cpu -4',
    ]);
  });

  it('higher priority first when requests wait', () => {
    const { log } = run([
      ...cluster,
      { type: 'request', now: 0, request: req('all', [{ type: 'cpu', amount: 6 }]) },
      { type: 'request', now: 1, request: req('low', [{ type: 'cpu', amount: 4 }], { deadline: 100, priority: 1 }) },
      { type: 'request', now: 2, request: req('high', [{ type: 'cpu', amount: 4 }], { deadline: 100, priority: 5 }) },
      { type: 'release', now: 3, allocation_id: 'all' },
    ]);
    expect(log.slice(1)).toEqual(['released all (released)', 'granted high {"a":{"cpu":4}}']);
  });

  it('ttl expiry, release, a lost holder and a lost node each free their resources', () => {
    const { log, state } = run([
      ...cluster,
      { type: 'request', now: 0, request: req('ttl', [{ type: 'cpu', amount: 1 }], { ttl: 5 }) },
      { type: 'request', now: 0, request: req('held', [{ type: 'memory', amount: 1 * GB }], { holder: 'peer-x' }) },
      { type: 'request', now: 0, request: req('gpu', [{ type: 'gpu', amount: 1 }]) },
      { type: 'expire', now: 4_999 },
      { type: 'expire', now: 5_000 },
      { type: 'node.lost', now: 5_001, node: 'peer-x' },
      { type: 'node.lost', now: 5_002, node: 'b' },
      { type: 'release', now: 5_003, allocation_id: 'nope' },
    ]);
    expect(log.slice(3)).toEqual(['released ttl (expired)', 'released held (holder lost)', 'released gpu (node lost)', 'unknown nope']);
    expect(state.allocations).toEqual({});
    expect(Object.keys(state.capacity)).toEqual(['a']);
  });

  it('a retried request is answered with the same allocation', () => {
    const { effects } = run([...cluster, { type: 'request', now: 0, request: req('r', [{ type: 'cpu', amount: 1 }]) }, { type: 'request', now: 1, request: req('r', [{ type: 'cpu', amount: 1 }]) }]);
    expect(effects.map((e) => e.type)).toEqual(['granted', 'granted']);
    expect(effects[0]).toEqual(effects[1]);
  });

  it('free capacity per node', () => {
    const { state } = run([...cluster, { type: 'request', now: 0, request: req('r', [{ type: 'cpu', amount: 5 }]) }]);
    expect(freeByNode(state)).toEqual({ a: { cpu: 0, memory: 8 * GB }, b: { cpu: 1, memory: 4 * GB, gpu: 1 } });
  });
});
