// The coordinator's verdict on a generator's share (table), and how the lifecycle answers renewals and
// deltas with it: `held` only for an active assignment of an execution it drives, in office.
import { describe, expect, it } from 'vitest';
import { shareVerdict } from '../../../actors/coordinator/executions/share-verdict.js';
import type { LiveExecution } from '../../../actors/coordinator/executions/model.js';
import type { Assignment, ExecutionDoc, ExecutionStatus } from '../../../src/execution/contract.js';
import { SILENT_MS } from '../../../src/execution/share-lease.js';
import { Lifecycle, planOf } from './harness.js';

function live(status: ExecutionStatus, assignments: Partial<Assignment>[], extra: Partial<ExecutionDoc> = {}): LiveExecution {
  const doc = {
    execution_id: 'x', name: 'p', plan: planOf(), source: {}, status, created_at: 0, start_at: 1, finished_at: null, coordinator: 'a', term: 2, version: 3,
    assignments: assignments.map((a) => ({ node_id: 'b', segment: { from: 0, to: 1 }, state: 'running', updated_at: 0, ...a }) as Assignment),
    ...extra,
  } as ExecutionDoc;
  return { doc, progress: new Map() };
}

describe('share verdict (table)', () => {
  const table: { name: string; live?: LiveExecution; stored?: ExecutionStatus; verdict: string }[] = [
    { name: 'running, assignment running', live: live('running', [{ state: 'running' }]), verdict: 'held' },
    { name: 'running, assignment assigned (its answer not in yet)', live: live('running', [{ state: 'assigned' }]), verdict: 'held' },
    { name: 'running, assignment failed (its share moved)', live: live('running', [{ state: 'failed' }]), verdict: 'moved' },
    { name: 'running, assignment done (its final results in)', live: live('running', [{ state: 'done' }]), verdict: 'ended' },
    { name: 'running, not among the assignments (never its own, or a stale assignment)', live: live('running', [{ node_id: 'c' }]), verdict: 'moved' },
    { name: 'running but stopped early (a stress test broke)', live: live('running', [{ state: 'running' }], { stopped_early: { at: 5, reason: 'broke' } }), verdict: 'ended' },
    { name: 'cancelled (kept live for late deltas)', live: live('cancelled', [{ state: 'cancelled' }]), verdict: 'ended' },
    { name: 'pending, not yet assigned', live: live('pending', []), verdict: 'unknown' },
    { name: 'not live, stored completed', stored: 'completed', verdict: 'ended' },
    { name: 'not live, stored failed', stored: 'failed', verdict: 'ended' },
    { name: 'not live, stored running (an office that did not take it over)', stored: 'running', verdict: 'unknown' },
    { name: 'never known here', verdict: 'unknown' },
  ];
  it.each(table)('$name: $verdict', ({ live: l, stored, verdict }) => {
    expect(shareVerdict(l, stored, 'b')).toBe(verdict);
  });
});

describe('renewals and deltas in the lifecycle', () => {
  function running() {
    const l = Lifecycle.ready(['a', 'b', 'c']);
    l.ackAll(l.submit('x', planOf()));
    return l;
  }

  it('answers a renewal with held, and counts it as word from the generator', () => {
    const l = running();
    const start = l.doc().start_at!;
    l.now = start + 2_000;
    l.on({ type: 'renew', executionId: 'x', from: 'b' });
    expect(l.answer).toEqual({ ok: true, value: { status: 'running', share: 'held' } });
    expect(l.effects).toEqual([]); // nothing recorded, nothing replicated
    l.fireAt(start + 2_000 + SILENT_MS - 1);
    expect(l.doc().assignments.find((a) => a.node_id === 'b')!.state).toBe('running');
    expect(l.doc().assignments.find((a) => a.node_id === 'c')!.state).toBe('failed'); // silent since the first delta was due
    l.on({ type: 'renew', executionId: 'x', from: 'c' });
    expect(l.answer).toEqual({ ok: true, value: { status: 'running', share: 'moved', moved_at: l.doc().assignments.find((a) => a.node_id === 'c')!.moved_at } });
    expect(l.doc().assignments.find((a) => a.node_id === 'c')!.moved_at).toBeGreaterThan(start);
  });

  it('answers a renewal out of office with an error (no verdict, so no lease)', () => {
    const l = running();
    l.on({ type: 'office.left' });
    l.on({ type: 'renew', executionId: 'x', from: 'b' });
    expect(l.answer).toMatchObject({ ok: false, error: { code: 'NOT_COORDINATOR' } });
  });

  it('answers a renewal of an ended execution from the store', () => {
    const l = Lifecycle.ready();
    l.on({ type: 'renew', executionId: 'old', from: 'b', storedStatus: 'completed' });
    expect(l.answer).toEqual({ ok: true, value: { status: 'completed', share: 'ended' } });
  });

  it('keeps the assignment of a generator heard from even when the answer to it was lost', () => {
    const l = Lifecycle.ready(['a', 'b', 'c']);
    const sends = l.submit('x', planOf());
    l.on({ type: 'renew', executionId: 'x', from: 'c' }); // c has it: it renews
    l.ack(sends[0]!);
    l.ack(sends[1]!);
    l.on({ type: 'send.timed-out', id: sends[2]!.id, error: 'deadline' });
    expect(l.doc().assignments.map((a) => [a.node_id, a.state])).toEqual([['a', 'running'], ['b', 'running'], ['c', 'running']]);
    expect(l.sends('task.resegment')).toEqual([]);
  });

  it('moves the share of a generator dead to membership only once it has been unheard for SILENT_MS', () => {
    const l = running();
    const start = l.doc().start_at!;
    l.now = start + 2_000;
    l.on({ type: 'renew', executionId: 'x', from: 'b' });
    l.on({ type: 'renew', executionId: 'x', from: 'c' });
    // A partition can close b's connection at once: dead to membership, while b may still hold a lease.
    l.now += 100;
    l.on({ type: 'members', generators: ['a', 'c'], members: [{ node_id: 'b', status: 'dead' }, { node_id: 'c', status: 'alive' }] });
    expect(l.doc().assignments.find((a) => a.node_id === 'b')!.state).toBe('running');
    l.now = start + 2_000 + SILENT_MS - 100;
    l.on({ type: 'renew', executionId: 'x', from: 'c' });
    l.fireAt(start + 2_000 + SILENT_MS + 1);
    expect(l.doc().assignments.find((a) => a.node_id === 'b')).toMatchObject({ state: 'failed' });
    expect(l.doc().assignments.find((a) => a.node_id === 'c')!.state).toBe('running');
  });
});
