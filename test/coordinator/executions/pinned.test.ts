// A workload's scenario submitted to the lifecycle: pinned to the nodes it was placed on, started no
// earlier than the agreed time, and failed with the reason when none of its nodes is there.
import { describe, expect, it } from 'vitest';
import { START_DELAY_MS } from '../../../actors/coordinator/executions/model.js';
import { Lifecycle, T0, alive, planOf } from './harness.js';

const childOf = { execution_id: 'w', scenario_id: 's1' };

describe('a pinned submission', () => {
  it.each<[string, string[], number, string[], number]>([
    // case, pinned nodes, asked start (from T0), assigned nodes, start (from T0)
    ['runs only on its nodes', ['b'], 0, ['b'], START_DELAY_MS],
    ['on two of three', ['c', 'a'], 0, ['c', 'a'], START_DELAY_MS],
    ['starts at the agreed time when later', ['b'], 2_000, ['b'], 2_000],
    ['never earlier than the lead', ['b'], 100, ['b'], START_DELAY_MS],
  ])('%s', (_, nodes, startAt, assigned, start) => {
    const l = Lifecycle.ready();
    l.on({ type: 'submitted', executionId: 'x', plan: planOf(), source: {}, pin: { nodes, startAt: T0 + startAt, childOf } });
    const doc = l.doc();
    expect(doc.assignments.map((a) => a.node_id)).toEqual(assigned);
    expect(doc).toMatchObject({ status: 'running', start_at: T0 + start, nodes, child_of: childOf });
    // Acknowledged by the start, however far away it is.
    expect(l.sends('task.assign').map((s) => [s.to, s.deadlineMs])).toEqual(assigned.map((n) => [n, start]));
  });

  it('skips a pinned node that is gone, and fails naming them when all are', () => {
    const l = Lifecycle.ready();
    l.on({ type: 'members', generators: ['a', 'c'], members: [...alive('c'), { node_id: 'b', status: 'dead' }] });
    l.on({ type: 'submitted', executionId: 'x', plan: planOf(), source: {}, pin: { nodes: ['b', 'c'], startAt: T0, childOf } });
    expect(l.doc().assignments.map((a) => a.node_id)).toEqual(['c']);
    l.on({ type: 'submitted', executionId: 'y', plan: planOf(), source: {}, pin: { nodes: ['b'], startAt: T0, childOf } });
    expect(l.doc('y')).toMatchObject({ status: 'failed', error: 'no node it was placed on is available (b)' });
  });

  it('a takeover leaves a workload document to the workload reducer', () => {
    const first = Lifecycle.ready();
    first.on({ type: 'submitted', executionId: 'x', plan: planOf(), source: {} });
    const workloadDoc = { ...first.doc(), execution_id: 'w', assignments: [], workload: { execution_mode: 'parallel' as const, strategy: 'least_loaded', scenarios: [] } };
    const next = Lifecycle.ready(['a', 'b', 'c'], 2);
    next.on({ type: 'office.taken', term: 3 });
    next.on({ type: 'replicas.gathered', term: 3, executions: [{ doc: workloadDoc as never, progress: new Map() }] });
    expect(next.state.executions.has('w')).toBe(false);
    expect(next.sends()).toEqual([]);
  });
});
