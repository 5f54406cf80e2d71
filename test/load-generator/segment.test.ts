import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrivalPosition, ownsArrival, pickTarget, usersOf, weightTable } from '../../actors/load-generator/index.js';
import { checkSegment } from '../../src/execution/segment.js';

/** A random partition of (0, 1] as sorted cut points. */
const partition = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }).map((cuts) => [0, ...cuts.sort((a, b) => a - b), 1]);

describe('segments', () => {
  it('give every arrival to exactly one segment of any partition (property)', () => {
    fc.assert(
      fc.property(partition, fc.integer({ min: 1, max: 1_000_000_000 }), (cuts, start) => {
        for (let k = start; k < start + 200; k++) {
          let owners = 0;
          for (let i = 0; i + 1 < cuts.length; i++) if (ownsArrival({ from: cuts[i]!, to: cuts[i + 1]! }, k)) owners++;
          expect(owners).toBe(1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('share arrivals in proportion at every count (low discrepancy)', () => {
    const thirds = [checkSegment(0, 1 / 3), checkSegment(1 / 3, 2 / 3), checkSegment(2 / 3, 1)];
    const counts = [0, 0, 0];
    for (let k = 1; k <= 30_000; k++) {
      thirds.forEach((s, i) => ownsArrival(s, k) && counts[i]!++);
      if (k % 500 === 0) for (const c of counts) expect(Math.abs(c - k / 3)).toBeLessThanOrEqual(3);
    }
    expect(arrivalPosition(1)).toBeGreaterThan(0);
  });

  it('split closed-model users without overlap or gap', () => {
    for (const users of [1, 2, 3, 7, 10, 100]) {
      const parts = [usersOf({ from: 0, to: 1 / 3 }, users), usersOf({ from: 1 / 3, to: 2 / 3 }, users), usersOf({ from: 2 / 3, to: 1 }, users)];
      expect(parts[0]!.first).toBe(0);
      expect(parts[1]!.first).toBe(parts[0]!.end);
      expect(parts[2]!.first).toBe(parts[1]!.end);
      expect(parts[2]!.end).toBe(users);
    }
  });

  it('reject segments outside (0, 1]', () => {
    expect(() => checkSegment(0.5, 0.2)).toThrow(/segment/);
    expect(() => checkSegment(-0.1, 0.2)).toThrow(/segment/);
    expect(() => checkSegment(0, 1.5)).toThrow(/segment/);
  });

  it('pick targets in proportion to their weights', () => {
    const table = weightTable([3, 1, 0.5, 0.5]);
    const counts = [0, 0, 0, 0];
    for (let n = 1; n <= 10_000; n++) counts[pickTarget(n, table)]!++;
    expect(counts.map((c) => Math.round(c / 100))).toEqual([60, 20, 10, 10]);
    counts.forEach((c, i) => expect(Math.abs(c - [6000, 2000, 1000, 1000][i]!)).toBeLessThanOrEqual(5));
  });
});
