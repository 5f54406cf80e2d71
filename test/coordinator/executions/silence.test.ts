// Shares of generators that are alive to membership but do not run: silent ones (frozen: no delta for
// SILENT_MS) and ones that stopped their own run (woke from a freeze). Table-driven over the lifecycle.
import { describe, expect, it } from 'vitest';
import { coversWhole } from '../../../src/execution/segment.js';
import { runIdOf } from '../../../src/execution/contract.js';
import { FIRST_DELTA_MS, SILENT_MS } from '../../../actors/coordinator/executions/silence.js';
import { Lifecycle, T0, deltaOf, planOf } from './harness.js';

const START = T0 + 700;
const END = START + 10_000;

function running() {
  const l = Lifecycle.ready(['a', 'b', 'c']);
  l.ackAll(l.submit('x', planOf()));
  return l;
}

type Row = {
  name: string;
  /** Deltas (node, at ms after the start, final, stopped) before the timer fires at `fireAt`. */
  deltas: [string, number, boolean, boolean][];
  fireAt: number;
  /** Nodes whose share moved, with the reason. */
  moved: Record<string, string>;
};

const rows: Row[] = [
  { name: 'nobody is silent while deltas come every second', deltas: [['b', 1000, false, false], ['c', 1000, false, false], ['b', 2000, false, false], ['c', 2000, false, false]], fireAt: 3000, moved: {} },
  { name: 'a generator silent since the start loses its share SILENT_MS after its first delta was due', deltas: [['b', 2000, false, false]], fireAt: FIRST_DELTA_MS + SILENT_MS + 1, moved: { c: 'generator silent' } },
  { name: 'no first delta is owed before a second into the run', deltas: [], fireAt: SILENT_MS + 1, moved: {} },
  { name: 'a generator that fell silent after its deltas (frozen at 2 s) loses it 1.5 s after its last', deltas: [['b', 1000, false, false], ['c', 1000, false, false], ['b', 2000, false, false], ['c', 2000, false, false], ['b', 3000, false, false]], fireAt: 2000 + SILENT_MS + 1, moved: { c: 'generator silent' } },
  { name: 'not yet silent: 1.5 s is the bound, not less', deltas: [['b', 1000, false, false], ['c', 1000, false, false]], fireAt: 1000 + SILENT_MS - 1, moved: {} },
  { name: 'a run that stopped itself (final, stopped) has its share moved at once', deltas: [['b', 1000, false, false], ['c', 1000, false, false], ['c', 1200, true, true]], fireAt: 1300, moved: { c: 'generator stopped its run' } },
  {
    name: 'silence after the planned end is the grace’s business, not a move',
    deltas: [1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((s): Row['deltas'] => [['b', s * 1000, false, false], ['c', s * 1000, false, false]]),
    fireAt: 11_000,
    moved: {},
  },
];

describe('silent and self-stopped generators', () => {
  it.each(rows)('$name', (row) => {
    const l = running();
    const seq = new Map<string, number>();
    const stops: string[] = [];
    for (const [node, at, final, stopped] of row.deltas) {
      l.now = START + at;
      const n = (seq.get(node) ?? 0) + 1;
      seq.set(node, n);
      l.on({ type: 'delta', executionId: 'x', from: node, task: 0, delta: { ...deltaOf(runIdOf('x', 0, node), n, final), ...(stopped ? { stopped } : {}) } });
      stops.push(...l.sends('task.stop').map((s) => s.to));
    }
    l.fireAt(START + row.fireAt);
    stops.push(...l.sends('task.stop').map((s) => s.to));
    const doc = l.doc();
    const failed = Object.fromEntries(doc.assignments.filter((a) => a.state === 'failed').map((a) => [a.node_id, a.reason]));
    expect(failed).toEqual(row.moved);
    if (Object.keys(row.moved).length > 0) {
      // The others took the whole over, and a stop went to the ones that lost their share.
      expect(coversWhole(doc.assignments.filter((a) => a.state !== 'failed').map((a) => a.segment))).toBe(true);
      for (const a of doc.assignments.filter((x) => x.state === 'failed')) expect(a.moved_at).toBeGreaterThan(START);
      expect(stops.sort()).toEqual(Object.keys(row.moved).sort());
    }
  });

  it('a delta sent again (a lease renewal) keeps its generator from turning silent, and is not stored again', () => {
    const l = running();
    l.now = START + 1000;
    l.delta('b', 1);
    l.delta('c', 1);
    const before = JSON.stringify(l.doc().assignments);
    let stored = 0;
    for (let at = 1250; at <= 1000 + 2 * SILENT_MS; at += 250) {
      l.now = START + at;
      // Nothing new from either: each sends its newest delta again.
      stored += [...l.delta('b', 1), ...l.delta('c', 1)].filter((e) => e.type === 'record-delta').length;
    }
    l.fireAt(START + 1000 + 2 * SILENT_MS);
    expect(l.doc().assignments.filter((a) => a.state === 'failed')).toEqual([]);
    expect(JSON.stringify(l.doc().assignments)).toBe(before);
    expect(stored).toBe(0);
  });

  it('a new coordinator counts silence from its takeover, not from the start', () => {
    const l = running();
    l.now = START + 5000;
    const doc = l.doc();
    l.on({ type: 'office.left' });
    l.on({ type: 'office.taken', term: 2 });
    l.on({ type: 'replicas.gathered', term: 2, executions: [{ doc, progress: new Map() }] });
    expect(l.doc().assignments.every((a) => a.state !== 'failed')).toBe(true);
    l.fireAt(START + 5000 + SILENT_MS + 1);
    expect(l.doc().assignments.filter((a) => a.state === 'failed').map((a) => a.node_id).sort()).toEqual(['b', 'c']);
  });

  it('looks again exactly when the next generator would turn silent', () => {
    const l = running();
    l.now = START + 1200;
    l.delta('b', 1);
    expect(l.of('schedule')).toEqual([]); // c is still owed its first delta: the look already planned stands
    l.delta('c', 1);
    expect(l.of('schedule').at(-1)?.at).toBe(START + 1200 + SILENT_MS + 1);
    expect(END).toBeGreaterThan(START + 1200 + SILENT_MS);
  });

  it('looks again when a look comes before the silence it was planned for (a timer that fired early)', () => {
    const l = running();
    l.now = START + 1200;
    l.delta('b', 1);
    l.delta('c', 1);
    const due = START + 1200 + SILENT_MS + 1;
    l.fireAt(due - 1);
    expect(l.doc().assignments.filter((a) => a.state === 'failed')).toEqual([]);
    expect(l.of('schedule')).toEqual([{ type: 'schedule', key: 'x', at: due }]);
    l.fireAt(due);
    expect(l.doc().assignments.filter((a) => a.state === 'failed').map((a) => a.node_id).sort()).toEqual(['b', 'c']);
  });
});

describe('a generator lost after the others finished', () => {
  it('completes the execution (the lost share accounted from the schedule), not "every generator failed"', () => {
    const l = running();
    for (let s = 1; s <= 9; s++) {
      l.now = START + s * 1000;
      for (const node of ['a', 'b', 'c']) l.delta(node, s);
    }
    l.now = END + 100;
    l.delta('b', 10, true);
    l.delta('c', 10, true);
    expect(l.doc().status).toBe('running'); // a's final is still owed
    // a woke from a freeze after the end: its run stopped itself, and says so.
    l.now = END + 3_000;
    l.on({ type: 'delta', executionId: 'x', from: 'a', task: 0, delta: { ...deltaOf(runIdOf('x', 0, 'a'), 10, true), stopped: true } });
    const doc = l.doc();
    expect(doc.status).toBe('completed');
    expect(doc.error).toBeUndefined();
    expect(doc.assignments.map((a) => [a.node_id, a.state])).toEqual([['a', 'failed'], ['b', 'done'], ['c', 'done']]);
    expect(doc.assignments[0]!.moved_at).toBe(END + 3_050);
  });
});
