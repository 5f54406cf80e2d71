// The execution lifecycle across terms: a new coordinator gathers replicas before it decides anything,
// then takes over every unfinished execution and re-drives its generators under its own term.
import { SILENT_MS } from '../../../src/execution/share-lease.js';
import { describe, expect, it } from 'vitest';
import type { ExecutionDoc } from '../../../src/execution/contract.js';
import { CANCELLED_LINGER_MS } from '../../../actors/coordinator/executions/model.js';
import { Lifecycle, T0, alive, deltaOf, planOf } from './harness.js';

/** A document as another coordinator (b, term 1) left it: a running, c still assigned, d failed. */
function replica(overrides: Partial<ExecutionDoc> = {}): ExecutionDoc {
  const plan = planOf();
  return {
    execution_id: 'x',
    name: 'p',
    plan,
    source: { name: 'p' },
    status: 'running',
    created_at: T0 - 3_000,
    start_at: T0 - 2_300,
    finished_at: null,
    coordinator: 'b',
    term: 1,
    version: 7,
    assignments: [
      { node_id: 'a', segment: { from: 0, to: 0.5 }, state: 'running', updated_at: T0 - 2_000 },
      { node_id: 'c', segment: { from: 0.5, to: 1 }, state: 'assigned', updated_at: T0 - 2_000 },
      { node_id: 'd', segment: { from: 0.25, to: 0.5 }, state: 'failed', updated_at: T0 - 2_000 },
    ],
    ...overrides,
  };
}

function takingOffice(term = 3) {
  const l = new Lifecycle();
  l.on({ type: 'members', generators: ['a', 'c'], members: [...alive('c'), { node_id: 'b', status: 'dead' }, { node_id: 'e', status: 'suspect' }] });
  l.on({ type: 'office.taken', term });
  return l;
}

describe('taking office', () => {
  it('gathers the replicas of the alive peers first, and decides nothing meanwhile', () => {
    const l = takingOffice();
    expect(l.effects).toEqual([{ type: 'gather', term: 3, peers: ['c'] }]);
    expect(l.state).toMatchObject({ phase: 'gathering', term: 3 });
    l.on({ type: 'cancel', executionId: 'x', stored: replica() });
    expect(l.answer).toMatchObject({ ok: false, error: { code: 'COORDINATOR_NOT_READY' } });
  });

  it('takes over a running execution: its term and version, the assignment re-sent, every segment confirmed', () => {
    const l = takingOffice();
    l.on({ type: 'replicas.gathered', term: 3, executions: [{ doc: replica(), progress: new Map() }] });
    expect(l.state.phase).toBe('ready');
    const doc = l.doc();
    expect(doc).toMatchObject({ coordinator: 'a', term: 3, version: 8, status: 'running' });
    expect(l.sends('task.assign').map((s) => [s.to, s.mode, s.command.payload])).toEqual([
      ['c', 'exactly-once', { execution_id: 'x', term: 3, name: 'p', plan: { name: 'p' }, segment: { from: 0.5, to: 1 }, start_at: T0 - 2_300 }],
    ]);
    expect(l.sends('task.resegment').map((s) => [s.to, s.command.payload])).toEqual([
      ['a', { execution_id: 'x', term: 3, version: 8, segment: { from: 0, to: 0.5 }, at: T0 }],
      ['c', { execution_id: 'x', term: 3, version: 8, segment: { from: 0.5, to: 1 }, at: T0 }],
    ]);
    expect(l.of('persist').map((p) => p.doc.version)).toEqual([8]);
    expect(l.of('log').map((e) => e.message)).toContain('taking over execution');
  });

  it('keeps what the runs delivered before the takeover', () => {
    const l = takingOffice();
    const progress = new Map([['x:0:a', { upTo: 2, extra: [], final: false }]]);
    l.on({ type: 'replicas.gathered', term: 3, executions: [{ doc: replica(), progress }] });
    expect(l.delta('a', 2)).toEqual([]);
    expect(l.delta('a', 3).map((e) => e.type)).toEqual(['record-delta']);
  });

  it('assigns a pending execution afresh', () => {
    const l = takingOffice();
    l.on({ type: 'replicas.gathered', term: 3, executions: [{ doc: replica({ status: 'pending', start_at: null, assignments: [] }), progress: new Map() }] });
    expect(l.sends('task.assign').map((s) => [s.to, s.deadlineMs])).toEqual([
      ['a', 700],
      ['c', 700],
    ]);
    expect(l.doc()).toMatchObject({ status: 'running', start_at: T0 + 700 });
  });

  it('keeps a recently cancelled execution for its late deltas, and drops an old one', () => {
    const l = takingOffice();
    const recent = replica({ execution_id: 'r', status: 'cancelled', finished_at: T0 - 1_000 });
    const old = replica({ execution_id: 'o', status: 'cancelled', finished_at: T0 - CANCELLED_LINGER_MS - 1 });
    l.on({ type: 'replicas.gathered', term: 3, executions: [recent, old].map((doc) => ({ doc, progress: new Map() })) });
    expect([...l.state.executions.keys()]).toEqual(['r']);
    expect(l.sends()).toEqual([]);
    expect(l.of('schedule')).toEqual([{ type: 'schedule', key: 'r', at: T0 - 1_000 + CANCELLED_LINGER_MS + 1 }]);
  });

  it('ignores replicas gathered for a term it no longer holds', () => {
    const l = takingOffice(3);
    l.on({ type: 'office.left' });
    l.on({ type: 'office.taken', term: 5 });
    l.on({ type: 'replicas.gathered', term: 3, executions: [{ doc: replica(), progress: new Map() }] });
    expect(l.state).toMatchObject({ phase: 'gathering', term: 5 });
    expect(l.effects).toEqual([]);
  });

  it('moves the share of a generator that died before the takeover, once a lease the old coordinator gave it has surely run out', () => {
    const l = takingOffice();
    const doc = replica({ assignments: [...replica().assignments, { node_id: 'b', segment: { from: 0.5, to: 1 }, state: 'running', updated_at: 0 }] });
    doc.assignments[1] = { ...doc.assignments[1]!, segment: { from: 0.5, to: 0.75 } };
    l.on({ type: 'replicas.gathered', term: 3, executions: [{ doc, progress: new Map() }] });
    // Dead to membership, but a partition looks the same: the old coordinator may have vouched for it just before.
    expect(l.doc().assignments.find((a) => a.node_id === 'b')).toMatchObject({ state: 'running' });
    const takenAt = l.now;
    l.now += SILENT_MS;
    l.on({ type: 'renew', executionId: 'x', from: 'c' }); // c is heard from, b is not
    expect(l.answer).toEqual({ ok: true, value: { status: 'running', share: 'held' } });
    l.fireAt(takenAt + SILENT_MS + 1);
    expect(l.doc().assignments.find((a) => a.node_id === 'b')).toMatchObject({ state: 'failed', reason: 'generator died' });
    expect(l.sends('task.stop').map((s) => s.to)).toEqual(['b']);
    expect(l.sends('task.resegment').at(-1)!.command.payload).toMatchObject({ segment: { from: 0.5, to: 1 } });
  });
});

describe('leaving office', () => {
  it('forgets every execution when it leaves, and refuses requests', () => {
    const l = Lifecycle.ready();
    const assigns = l.submit();
    l.on({ type: 'office.left' });
    expect(l.state).toMatchObject({ phase: 'off' });
    expect(l.state.executions.size).toBe(0);
    l.ack(assigns[0]!);
    expect(l.effects).toEqual([]);
    l.on({ type: 'timer', key: 'x' });
    expect(l.effects).toEqual([]);
    l.on({ type: 'cancel', executionId: 'x' });
    expect(l.answer).toMatchObject({ ok: false, error: { code: 'NOT_COORDINATOR' } });
  });

  it('does not mistake an old send for a new one after taking office again', () => {
    const l = Lifecycle.ready();
    const [old] = l.submit();
    l.on({ type: 'office.left' });
    l.on({ type: 'office.taken', term: 4 });
    l.on({ type: 'replicas.gathered', term: 4, executions: [] });
    l.submit('y');
    l.on({ type: 'send.refused', id: old!.id, error: 'stale term' });
    expect(l.effects).toEqual([]);
    expect(l.doc('y').assignments.every((a) => a.state === 'assigned')).toBe(true);
  });
});

describe('an execution taken over from a stale replica, whose end reaches this office later', () => {
  it('stops being driven, and nothing of it is written again', () => {
    const l = takingOffice();
    l.on({ type: 'replicas.gathered', term: 3, executions: [{ doc: replica(), progress: new Map() }] });
    expect(l.state.executions.has('x')).toBe(true);
    const effects = l.on({ type: 'ended.elsewhere', executionId: 'x', status: 'completed' });
    expect(l.state.executions.has('x')).toBe(false);
    expect(effects.filter((e) => e.type !== 'log')).toEqual([]);
    expect(l.of('log')).toMatchObject([{ level: 'warn', message: 'execution had ended under an earlier coordinator: no longer driven' }]);
    // A delta for it is now answered from the store's status: the generator stops.
    l.on({ type: 'delta', executionId: 'x', from: 'a', task: 0, delta: deltaOf('x:0:a', 3, false), storedStatus: 'completed' });
    expect(l.answer).toMatchObject({ ok: true, value: { status: 'completed', share: 'ended' } });
  });

  it('a cancelled execution still taking late deltas, or one not live here, is left as it is', () => {
    const l = takingOffice();
    l.on({ type: 'replicas.gathered', term: 3, executions: [{ doc: replica({ status: 'cancelled', finished_at: T0 - 100 }), progress: new Map() }] });
    expect(l.on({ type: 'ended.elsewhere', executionId: 'x', status: 'cancelled' })).toEqual([]);
    expect(l.state.executions.has('x')).toBe(true);
    expect(l.on({ type: 'ended.elsewhere', executionId: 'nope', status: 'completed' })).toEqual([]);
  });
});
