// Where a lost generator's share goes: to its neighbours, so that no other share shrinks (a share that
// shrank, heard late, would send arrivals that are another's). Table-driven.
import { describe, expect, it } from 'vitest';
import { absorb } from '../../../actors/coordinator/executions/absorb.js';
import { coversWhole, type Segment } from '../../../src/execution/segment.js';

const s = (from: number, to: number): Segment => ({ from, to });
const q = (i: number) => s(i / 4, (i + 1) / 4);

const rows: { name: string; kept: [string, Segment][]; after: Record<string, Segment> }[] = [
  { name: 'the last of three lost: its one neighbour takes it', kept: [['a', s(0, 1 / 3)], ['b', s(1 / 3, 2 / 3)]], after: { a: s(0, 1 / 3), b: s(1 / 3, 1) } },
  { name: 'the first of three lost: its one neighbour takes it', kept: [['b', s(1 / 3, 2 / 3)], ['c', s(2 / 3, 1)]], after: { b: s(0, 2 / 3), c: s(2 / 3, 1) } },
  { name: 'the middle of three lost: cut in its middle', kept: [['a', s(0, 1 / 3)], ['c', s(2 / 3, 1)]], after: { a: s(0, 0.5), c: s(0.5, 1) } },
  { name: 'a gap between uneven neighbours: the narrower takes more, to even widths', kept: [['a', s(0, 0.5)], ['d', s(0.75, 1)]], after: { a: s(0, 0.5), d: s(0.5, 1) } },
  { name: 'two lost at once, at an end and in the middle', kept: [['b', q(1)], ['d', q(3)]], after: { b: s(0, 0.5), d: s(0.5, 1) } },
  { name: 'two neighbours lost together', kept: [['a', q(0)], ['d', q(3)]], after: { a: s(0, 0.5), d: s(0.5, 1) } },
  { name: 'nothing lost: nothing changes', kept: [['a', q(0)], ['b', q(1)], ['c', s(0.5, 1)]], after: { a: q(0), b: q(1), c: s(0.5, 1) } },
  { name: 'one kept: the whole', kept: [['c', q(2)]], after: { c: s(0, 1) } },
];

describe('a lost share goes to its neighbours', () => {
  it.each(rows)('$name', ({ kept, after }) => {
    const out = absorb(new Map(kept))!;
    expect(Object.fromEntries(out)).toEqual(after);
    expect(coversWhole(out.values())).toBe(true);
    // No kept share shrinks.
    for (const [node, before] of kept) {
      expect(out.get(node)!.from).toBeLessThanOrEqual(before.from);
      expect(out.get(node)!.to).toBeGreaterThanOrEqual(before.to);
    }
  });

  it('nobody kept: nothing to hand over', () => {
    expect(absorb(new Map())).toBeUndefined();
  });
});
