// The execution lifecycle while it runs: deltas counted once, generators done, the end with its grace,
// generators that die or come back, and cancellation with its linger.
import { describe, expect, it } from 'vitest';
import { coversWhole } from '../../../src/execution/segment.js';
import { CANCELLED_LINGER_MS, FINAL_GRACE_MS } from '../../../actors/coordinator/executions/model.js';
import { Lifecycle, T0, deltaOf, planOf } from './harness.js';

const END = T0 + 700 + 10_000;

function running(generators = ['a', 'b', 'c'], plan = planOf()) {
  const l = Lifecycle.ready(generators);
  l.ackAll(l.submit('x', plan));
  return l;
}

describe('deltas', () => {
  it('records each delta once, and answers the execution status', () => {
    const l = running();
    expect(l.delta('b', 1).filter((e) => e.type === 'record-delta')).toHaveLength(1);
    expect(l.answer).toEqual({ ok: true, value: { status: 'running', share: 'held' } });
    expect(l.delta('b', 1)).toEqual([]);
    expect(l.answer).toEqual({ ok: true, value: { status: 'running', share: 'held' } });
    expect(l.delta('b', 3).map((e) => e.type)).toEqual(['record-delta']);
    expect(l.delta('b', 2).map((e) => e.type)).toEqual(['record-delta']);
    expect(l.state.executions.get('x')!.progress.get('x:0:b')).toEqual({ upTo: 3, extra: [], final: false });
  });

  it('refuses a delta whose run is not the sender’s task', () => {
    const l = running();
    l.on({ type: 'delta', executionId: 'x', from: 'c', task: 0, delta: deltaOf('x:0:b', 1, false) });
    expect(l.answer).toMatchObject({ ok: false, error: { code: 'PERMANENT_DELTA_MISMATCH' } });
    expect(l.effects).toEqual([]);
  });

  it('stores a delta of an execution that is not live, and answers with the stored status', () => {
    const l = Lifecycle.ready();
    l.on({ type: 'delta', executionId: 'old', from: 'b', task: 0, delta: deltaOf('old:0:b', 4, true), storedStatus: 'completed' });
    expect(l.answer).toEqual({ ok: true, value: { status: 'completed', share: 'ended' } });
    expect(l.of('record-delta')).toEqual([{ type: 'record-delta', delta: { execution_id: 'old', run_id: 'old:0:b', seq: 4, delta: deltaOf('old:0:b', 4, true) } }]);
    l.on({ type: 'delta', executionId: 'never', from: 'b', task: 0, delta: deltaOf('never:0:b', 1, false) });
    expect(l.answer).toEqual({ ok: true, value: { status: 'unknown', share: 'unknown' } });
  });

  it('is refused out of office', () => {
    const l = running();
    l.on({ type: 'office.left' });
    l.delta('b', 1);
    expect(l.answer).toMatchObject({ ok: false, error: { code: 'NOT_COORDINATOR' } });
  });
});

describe('the end', () => {
  it('marks a generator done on its final delta, and completes once all are in after the planned end', () => {
    const l = running();
    l.delta('a', 1, true);
    expect(l.doc().assignments[0]!.state).toBe('done');
    // A final delta with a gap before it does not finish the run.
    l.delta('b', 2, true);
    expect(l.doc().assignments[1]!.state).toBe('running');
    l.delta('b', 1);
    expect(l.doc().assignments[1]!.state).toBe('done');
    l.delta('c', 1, true);
    expect(l.doc().status).toBe('running'); // before the planned end
    l.fireAt(END);
    expect(l.doc()).toMatchObject({ status: 'completed', finished_at: END });
    expect(l.of('end-report').map((e) => e.doc.status)).toEqual(['completed']);
    expect(l.state.executions.has('x')).toBe(false);
  });

  it('completes on the last final delta after the planned end', () => {
    const l = running();
    l.delta('a', 1, true);
    l.delta('b', 1, true);
    l.fireAt(END + 300);
    expect(l.doc().status).toBe('running');
    expect(l.of('schedule')).toEqual([{ type: 'schedule', key: 'x', at: END + FINAL_GRACE_MS }]);
    l.advance(200);
    l.delta('c', 1, true);
    expect(l.answer).toEqual({ ok: true, value: { status: 'completed', share: 'ended' } });
    expect(l.doc()).toMatchObject({ status: 'completed', finished_at: END + 500 });
  });

  it('waits for every task of a generator', () => {
    const l = running(['a', 'b'], planOf(10, 2));
    for (const node of ['a', 'b']) l.delta(node, 1, true, 'x', 0);
    l.fireAt(END);
    expect(l.doc().status).toBe('running');
    l.delta('a', 1, true, 'x', 1);
    l.delta('b', 1, true, 'x', 1);
    expect(l.doc().status).toBe('completed');
  });

  it('ends anyway after the grace, failing the generators without final results', () => {
    const l = running();
    l.delta('a', 1, true);
    l.delta('b', 1, true);
    l.fireAt(END + FINAL_GRACE_MS - 1);
    expect(l.doc().status).toBe('running');
    l.fireAt(END + FINAL_GRACE_MS);
    const doc = l.doc();
    expect(doc.status).toBe('completed');
    expect(doc.assignments.map((a) => [a.state, a.reason])).toEqual([
      ['done', undefined],
      ['done', undefined],
      ['failed', 'no final results'],
    ]);
  });

  it('never changes an ended execution again', () => {
    const l = running(['a']);
    l.delta('a', 1, true);
    l.fireAt(END);
    const ended = l.doc();
    expect(ended.status).toBe('completed');
    for (const event of [{ type: 'timer', key: 'x' }, { type: 'members', generators: [], members: [] }] as const) {
      l.on(event);
      expect(l.of('persist')).toEqual([]);
    }
    l.on({ type: 'cancel', executionId: 'x', stored: ended });
    expect(l.answer).toEqual({ ok: true, value: 'completed' });
    expect(l.effects).toEqual([]);
  });
});

describe('membership', () => {
  it('moves the share of a generator that died, and stops it in case it lives', () => {
    const l = running();
    l.on({ type: 'members', generators: ['a', 'b'], members: [{ node_id: 'b', status: 'alive' }, { node_id: 'c', status: 'dead' }] });
    const doc = l.doc();
    expect(doc.assignments.map((a) => [a.state, a.reason])).toEqual([
      ['running', undefined],
      ['running', undefined],
      ['failed', 'generator died'],
    ]);
    expect(l.sends('task.stop').map((s) => s.to)).toEqual(['c']);
    expect(l.sends('task.resegment').map((s) => s.to)).toEqual(['a', 'b']);
    expect(coversWhole(doc.assignments.filter((a) => a.state !== 'failed').map((a) => a.segment))).toBe(true);
  });

  it.each([
    ['suspect', [{ node_id: 'b', status: 'alive' as const }, { node_id: 'c', status: 'suspect' as const }]],
    ['dead but finished', [{ node_id: 'b', status: 'alive' as const }, { node_id: 'c', status: 'dead' as const }]],
  ])('keeps the share of a generator %s', (what, members) => {
    const l = running();
    if (what === 'dead but finished') l.delta('c', 1, true);
    l.on({ type: 'members', generators: ['a', 'b'], members });
    expect(l.sends()).toEqual([]);
    expect(l.doc().assignments[2]!.state).not.toBe('failed');
  });

  it('treats a generator that membership no longer knows as lost, and keeps it failed when it comes back', () => {
    const l = running();
    l.on({ type: 'members', generators: ['a', 'b'], members: [{ node_id: 'b', status: 'alive' }] });
    expect(l.doc().assignments[2]!.state).toBe('failed');
    l.on({ type: 'members', generators: ['a', 'b', 'c'], members: [{ node_id: 'b', status: 'alive' }, { node_id: 'c', status: 'alive' }] });
    expect(l.effects).toEqual([]);
    expect(l.doc().assignments[2]!.state).toBe('failed');
  });

  it('fails the execution when its last generator dies', () => {
    const l = running(['a', 'b']);
    l.on({ type: 'members', generators: ['a', 'b'], members: [{ node_id: 'b', status: 'dead' }] });
    // The coordinator itself is never lost; fail it through the round instead.
    expect(l.doc().status).toBe('running');
    const m = Lifecycle.ready(['b', 'c']);
    m.ackAll(m.submit());
    m.on({ type: 'members', generators: [], members: [{ node_id: 'b', status: 'dead' }, { node_id: 'c', status: 'dead' }] });
    expect(m.doc()).toMatchObject({ status: 'failed', error: 'every generator failed (generator died)' });
  });
});

describe('cancel', () => {
  it('ends the execution and stops every node ever assigned, then takes late deltas for a while', () => {
    const l = running();
    l.on({ type: 'members', generators: ['a', 'b'], members: [{ node_id: 'b', status: 'alive' }, { node_id: 'c', status: 'dead' }] });
    l.advance(1_000);
    l.on({ type: 'cancel', executionId: 'x' });
    expect(l.answer).toEqual({ ok: true, value: 'cancelled' });
    expect(l.doc()).toMatchObject({ status: 'cancelled', finished_at: l.now });
    expect(l.doc().assignments.map((a) => a.state)).toEqual(['cancelled', 'cancelled', 'failed']);
    expect(l.sends('task.stop').map((s) => [s.to, s.mode])).toEqual([
      ['a', 'reliable'],
      ['b', 'reliable'],
      ['c', 'reliable'],
    ]);
    expect(l.of('end-report')).toHaveLength(1);
    l.on({ type: 'cancel', executionId: 'x' });
    expect(l.answer).toEqual({ ok: true, value: 'cancelled' });
    expect(l.effects).toEqual([]);
    l.delta('b', 1);
    expect(l.of('record-delta')).toHaveLength(1);
    expect(l.answer).toEqual({ ok: true, value: { status: 'cancelled', share: 'ended' } });
    const cancelledAt = l.now;
    l.fireAt(cancelledAt + CANCELLED_LINGER_MS);
    expect(l.state.executions.has('x')).toBe(true);
    l.fireAt(cancelledAt + CANCELLED_LINGER_MS + 1);
    expect(l.state.executions.has('x')).toBe(false);
    expect(l.of('persist')).toEqual([]);
  });

  it('cancels a stored pending execution, and answers the status of an ended one', () => {
    const l = Lifecycle.ready();
    l.submit();
    const pending = { ...l.doc(), execution_id: 'p', status: 'pending' as const, assignments: [] };
    l.on({ type: 'cancel', executionId: 'p', stored: pending });
    expect(l.answer).toEqual({ ok: true, value: 'cancelled' });
    expect(l.doc('p').status).toBe('cancelled');
    l.on({ type: 'cancel', executionId: 'f', stored: { ...pending, execution_id: 'f', status: 'failed' } });
    expect(l.answer).toEqual({ ok: true, value: 'failed' });
    l.on({ type: 'cancel', executionId: 'nope' });
    expect(l.answer).toMatchObject({ ok: false, error: { code: 'EXECUTION_NOT_FOUND' } });
  });
});
