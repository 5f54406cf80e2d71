// The execution lifecycle from submission to the agreed start: exactly-once assignments with term
// fencing, and the shares of refused or silent generators moved to the others (issue 9).
import { describe, expect, it } from 'vitest';
import { coversWhole } from '../../../src/execution/segment.js';
import { START_DELAY_MS } from '../../../actors/coordinator/executions/model.js';
import { FIRST_DELTA_MS, SILENT_MS } from '../../../actors/coordinator/executions/silence.js';
import { Lifecycle, T0, planOf } from './harness.js';

describe('submission', () => {
  it('splits the whole among the generators, with one agreed start 0.7 s later', () => {
    const l = Lifecycle.ready();
    const assigns = l.submit();
    expect(l.answer).toEqual({ ok: true, value: undefined });
    const doc = l.doc();
    expect(doc).toMatchObject({ status: 'running', start_at: T0 + START_DELAY_MS, coordinator: 'a', term: 1, version: 1 });
    expect(doc.assignments.map((a) => [a.node_id, a.state])).toEqual([
      ['a', 'assigned'],
      ['b', 'assigned'],
      ['c', 'assigned'],
    ]);
    expect(coversWhole(doc.assignments.map((a) => a.segment))).toBe(true);
    expect(assigns.map((s) => [s.to, s.mode, s.deadlineMs])).toEqual([
      ['a', 'exactly-once', 700],
      ['b', 'exactly-once', 700],
      ['c', 'exactly-once', 700],
    ]);
    for (const s of assigns) expect(s.command.payload).toMatchObject({ execution_id: 'x', term: 1, start_at: T0 + 700 });
    // Written once per step, replicated, and looked at again at the planned end.
    expect(l.of('persist')).toHaveLength(1);
    expect(l.of('replicate')).toHaveLength(1);
    // It looks again when a generator would have been silent too long (no delta since the start).
    expect(l.of('schedule')).toEqual([{ type: 'schedule', key: 'x', at: T0 + 700 + FIRST_DELTA_MS + SILENT_MS + 1 }]);
  });

  it.each([
    ['not in office', new Lifecycle(), 'NOT_COORDINATOR'],
    [
      'still gathering replicas',
      (() => {
        const l = new Lifecycle();
        l.on({ type: 'office.taken', term: 2 });
        return l;
      })(),
      'COORDINATOR_NOT_READY',
    ],
  ])('is refused when %s', (_, l, code) => {
    l.submit();
    expect(l.answer).toMatchObject({ ok: false, error: { code } });
    expect(l.effects).toEqual([]);
  });

  it('does nothing for a submission delivered twice', () => {
    const l = Lifecycle.ready();
    l.submit();
    const first = l.doc();
    expect(l.submit()).toEqual([]);
    expect(l.effects).toEqual([]);
    expect(l.doc()).toBe(first);
    const plan = planOf();
    l.on({ type: 'submitted', executionId: 'y', plan, source: {}, existing: { ...first, execution_id: 'y' } });
    expect(l.effects).toEqual([]);
    expect(l.state.executions.has('y')).toBe(false);
  });

  it('fails at once, with a report, when no generator is available', () => {
    const l = Lifecycle.ready([]);
    l.submit();
    expect(l.answer).toEqual({ ok: true, value: undefined });
    expect(l.state.executions.has('x')).toBe(false);
    expect(l.of('end-report')).toHaveLength(1);
    expect(l.doc()).toMatchObject({ status: 'failed', error: 'no generator available', finished_at: T0 });
  });
});

describe('assignment round', () => {
  it('marks acknowledged assignments running with their round trip', () => {
    const l = Lifecycle.ready();
    const [a] = l.submit();
    l.advance(4);
    l.ack(a!, 2.5);
    expect(l.doc().assignments[0]).toMatchObject({ node_id: 'a', state: 'running', assign_rtt_ms: 2.5, updated_at: T0 + 4 });
    expect(l.sends()).toEqual([]);
  });

  it.each(['send.refused', 'send.timed-out'] as const)('moves the share of an assignment %s once every generator has answered', (failure) => {
    const l = Lifecycle.ready();
    const [a, b, c] = l.submit();
    l.on({ type: failure, id: b!.id, error: 'stale term' });
    // No resegment may overtake an assignment still on its way.
    expect(l.sends()).toEqual([]);
    expect(l.doc().assignments[1]!.state).toBe('assigned');
    l.ack(a!);
    l.advance(10);
    l.ack(c!);
    const doc = l.doc();
    expect(doc.assignments.map((x) => [x.node_id, x.state])).toEqual([
      ['a', 'running'],
      ['b', 'failed'],
      ['c', 'running'],
    ]);
    expect(doc.assignments[1]!.reason).toBe('assignment not acknowledged');
    const stops = l.sends('task.stop');
    expect(stops.map((s) => [s.to, s.mode, s.command.payload])).toEqual([['b', 'reliable', { execution_id: 'x', term: 1 }]]);
    const resegments = l.sends('task.resegment');
    expect(resegments.map((s) => s.to)).toEqual(['a', 'c']);
    const segments = resegments.map((s) => (s.command.kind === 'task.resegment' ? s.command.payload : undefined)!);
    expect(coversWhole(segments.map((s) => s.segment))).toBe(true);
    for (const s of segments) expect(s).toMatchObject({ execution_id: 'x', term: 1, version: doc.version, at: l.now + 50 });
    expect(doc.assignments.filter((x) => x.state !== 'failed').map((x) => x.segment)).toEqual(segments.map((s) => s.segment));
    expect(l.of('log').map((e) => e.message)).toContain('moved shares');
  });

  it('moves two failed shares in one resegment', () => {
    const l = Lifecycle.ready(['a', 'b', 'c', 'd']);
    const [a, b, c, d] = l.submit();
    l.on({ type: 'send.refused', id: a!.id, error: 'no' });
    l.ack(b!);
    l.on({ type: 'send.timed-out', id: c!.id, error: 'deadline' });
    l.ack(d!);
    expect(l.sends('task.resegment').map((s) => [s.to, s.command.payload])).toEqual([
      ['b', expect.objectContaining({ segment: { from: 0, to: 0.5 } })],
      ['d', expect.objectContaining({ segment: { from: 0.5, to: 1 } })],
    ]);
    expect(l.sends('task.stop').map((s) => s.to)).toEqual(['a', 'c']);
  });

  it('fails the execution when every assignment fails', () => {
    const l = Lifecycle.ready(['a', 'b']);
    const [a, b] = l.submit();
    l.on({ type: 'send.refused', id: a!.id, error: 'no' });
    l.on({ type: 'send.timed-out', id: b!.id, error: 'deadline' });
    expect(l.doc()).toMatchObject({ status: 'failed', error: 'every generator failed (assignment not acknowledged)' });
    expect(l.of('end-report')).toHaveLength(1);
    expect(l.sends('task.resegment')).toEqual([]);
  });

  it('never revives a generator that died during the round', () => {
    const l = Lifecycle.ready();
    const [a, b, c] = l.submit();
    l.on({ type: 'members', generators: ['a', 'c'], members: [{ node_id: 'b', status: 'dead' }, { node_id: 'c', status: 'alive' }] });
    expect(l.doc().assignments[1]!.state).toBe('failed');
    expect(l.sends('task.resegment').map((s) => s.to)).toEqual(['a', 'c']);
    l.ack(b!);
    l.ack(a!);
    l.ack(c!);
    expect(l.doc().assignments.map((x) => x.state)).toEqual(['running', 'failed', 'running']);
  });

  it('ignores completions of a round whose execution was cancelled', () => {
    const l = Lifecycle.ready();
    const [a, b] = l.submit();
    l.on({ type: 'cancel', executionId: 'x' });
    l.ack(a!);
    l.on({ type: 'send.refused', id: b!.id, error: 'stopped' });
    expect(l.effects.filter((e) => e.type === 'send' || e.type === 'persist')).toEqual([]);
    expect(l.doc().assignments.map((x) => x.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  });
});

describe('commands to generators', () => {
  function withResegment() {
    const l = Lifecycle.ready();
    const [a, b, c] = l.submit();
    l.ack(a!);
    l.ack(c!);
    l.on({ type: 'send.refused', id: b!.id, error: 'no' });
    return { l, resegment: l.sends('task.resegment')[1]! };
  }

  it('retries a command that timed out, five times, with a 2 s deadline', () => {
    const { l, resegment } = withResegment();
    let last = resegment;
    for (let i = 0; i < 5; i++) {
      l.on({ type: 'send.timed-out', id: last.id, error: 'deadline' });
      const [again] = l.sends();
      expect(again).toMatchObject({ to: last.to, command: last.command, mode: 'exactly-once', deadlineMs: 2_000 });
      last = again!;
    }
    l.on({ type: 'send.timed-out', id: last.id, error: 'deadline' });
    expect(l.sends()).toEqual([]);
    expect(l.of('log')[0]).toMatchObject({ level: 'warn', message: 'task.resegment not delivered' });
  });

  it('gives up on a refused command, and on a lost node', () => {
    const { l, resegment } = withResegment();
    l.on({ type: 'send.refused', id: resegment.id, error: 'stale' });
    expect(l.sends()).toEqual([]);
    const stop = (() => {
      const m = Lifecycle.ready();
      const [a, b, c] = m.submit();
      m.ack(a!);
      m.ack(b!);
      m.ack(c!);
      m.on({ type: 'members', generators: ['a', 'b'], members: [{ node_id: 'b', status: 'alive' }, { node_id: 'c', status: 'dead' }] });
      return { m, stop: m.sends('task.stop')[0]! };
    })();
    expect(stop.stop.to).toBe('c');
    stop.m.on({ type: 'send.timed-out', id: stop.stop.id, error: 'unreachable' });
    expect(stop.m.sends()).toEqual([]);
  });

  it('re-sends a share only while the execution runs, and a stop always', () => {
    const { l, resegment } = withResegment();
    const stop = l.sends('task.stop')[0]!;
    l.on({ type: 'cancel', executionId: 'x' });
    l.on({ type: 'send.timed-out', id: resegment.id, error: 'deadline' });
    expect(l.sends()).toEqual([]);
    l.on({ type: 'send.timed-out', id: stop.id, error: 'deadline' });
    expect(l.sends().map((s) => [s.to, s.command.kind])).toEqual([['b', 'task.stop']]);
  });

  it('forgets the sends of an office it left', () => {
    const { l, resegment } = withResegment();
    l.on({ type: 'office.left' });
    l.on({ type: 'send.timed-out', id: resegment.id, error: 'deadline' });
    expect(l.effects).toEqual([]);
  });
});
