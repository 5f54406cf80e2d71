// Many interleaved random requests, releases, expiries, node losses and joins: the pool is never
// over-committed, every grant is whole, and every request ends exactly once.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyPool, reducePool, type PoolEvent, type PoolState } from '../../actors/resource-pool/pool.js';

const TYPES = ['cpu', 'memory', 'gpu'] as const;
const NODES = ['n1', 'n2', 'n3', 'n4'];

const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('request' as const), resources: fc.uniqueArray(fc.record({ type: fc.constantFrom(...TYPES), amount: fc.integer({ min: 1, max: 12 }) }), { minLength: 1, maxLength: 3, selector: (r) => r.type }), priority: fc.integer({ min: 0, max: 3 }), wait: fc.integer({ min: 0, max: 50 }), ttl: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }), holder: fc.constantFrom(...NODES) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), by: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lost' as const), node: fc.constantFrom(...NODES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('join' as const), node: fc.constantFrom(...NODES), cpu: fc.integer({ min: 1, max: 16 }), gpu: fc.integer({ min: 0, max: 2 }) }) },
);

function check(state: PoolState): void {
  for (const [node, cap] of Object.entries(state.capacity)) {
    for (const type of TYPES) {
      const used = Object.values(state.allocations).reduce((s, a) => s + (a.placement[node]?.[type] ?? 0), 0);
      expect(used, `${node}.${type}`).toBeLessThanOrEqual((cap[type] ?? 0) + 1e-6);
    }
  }
  for (const a of Object.values(state.allocations)) {
    for (const r of a.resources) {
      const placed = Object.values(a.placement).reduce((s, p) => s + (p[r.type] ?? 0), 0);
      expect(placed).toBeCloseTo(r.amount, 6);
    }
    for (const node of Object.keys(a.placement)) expect(state.capacity[node], `${a.allocation_id} on a node that left`).toBeDefined();
  }
}

describe('resource pool properties', () => {
  it('never over-commits; grants whole; one final answer per request', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 150 }), (ops) => {
        let state = emptyPool();
        let now = 0;
        let next = 0;
        const outcomes = new Map<string, string[]>();
        const apply = (event: PoolEvent) => {
          const r = reducePool(state, event);
          state = r.state;
          for (const e of r.effects) {
            const id = e.type === 'granted' || e.type === 'released' ? e.allocation.allocation_id : e.allocation_id;
            if (e.type === 'granted' || e.type === 'refused') outcomes.set(id, [...(outcomes.get(id) ?? []), e.type]);
          }
          check(state);
        };
        for (const n of NODES.slice(0, 3)) apply({ type: 'capacity', now, node: n, capacity: { cpu: 8, memory: 16, gpu: 1 } });
        for (const o of ops) {
          switch (o.kind) {
            case 'request':
              apply({ type: 'request', now, request: { allocation_id: `r${next++}`, requester_id: 't', holder: o.holder, priority: o.priority, ttl: o.ttl, resources: o.resources, deadline: now + o.wait } });
              break;
            case 'release': {
              const ids = Object.keys(state.allocations);
              if (ids.length > 0) apply({ type: 'release', now, allocation_id: ids[o.pick % ids.length]! });
              break;
            }
            case 'tick':
              now += o.by;
              apply({ type: o.by % 2 === 0 ? 'expire' : 'tick', now });
              break;
            case 'lost':
              apply({ type: 'node.lost', now, node: o.node });
              break;
            case 'join':
              // A node comes (back) with at least what it had: capacity never shrinks under allocations.
              if (!state.capacity[o.node]) apply({ type: 'capacity', now, node: o.node, capacity: { cpu: o.cpu, memory: 16, gpu: o.gpu } });
              break;
          }
        }
        now += 1_000;
        apply({ type: 'tick', now }); // every deadline has passed
        expect(state.waiting).toEqual([]);
        for (let i = 0; i < next; i++) expect(outcomes.get(`r${i}`), `r${i}`).toHaveLength(1);
      }),
      { numRuns: 400, seed: 12 },
    );
  });
});
