// A run's share split among its worker threads, after the share changed: one that only grew keeps its
// inner boundaries (no part loses arrivals, so parts hearing the change at slightly different moments
// never send one twice); any other change is cut anew.
import { describe, expect, it } from 'vitest';
import { resplit, subSegments } from '../../actors/load-generator/work-split.js';
import { coversWhole } from '../../src/execution/segment.js';

describe('resplit', () => {
  it.each([
    ['grown at the top', { from: 0.25, to: 0.5 }, { from: 0.25, to: 1 }, 3],
    ['grown at the bottom', { from: 0.25, to: 0.5 }, { from: 0, to: 0.5 }, 2],
    ['grown at both ends', { from: 0.25, to: 0.5 }, { from: 0, to: 1 }, 4],
    ['unchanged', { from: 0.25, to: 0.5 }, { from: 0.25, to: 0.5 }, 3],
  ])('%s: every part keeps what it had', (_name, before, after, n) => {
    const parts = subSegments(before, n);
    const next = resplit(parts, after, n);
    expect(next).toHaveLength(n);
    next.forEach((p, i) => {
      expect(p.from).toBeLessThanOrEqual(parts[i]!.from);
      expect(p.to).toBeGreaterThanOrEqual(parts[i]!.to);
    });
    expect(next[0]!.from).toBe(after.from);
    expect(next[n - 1]!.to).toBe(after.to);
    // Adjacent, and together exactly the new share.
    for (let i = 1; i < n; i++) expect(next[i]!.from).toBe(next[i - 1]!.to);
  });

  it('a share that shrank is cut anew, equally', () => {
    const parts = subSegments({ from: 0, to: 1 }, 2);
    expect(resplit(parts, { from: 0, to: 0.5 }, 2)).toEqual(subSegments({ from: 0, to: 0.5 }, 2));
  });

  it('a single part is the share', () => {
    expect(resplit([{ from: 0.2, to: 0.4 }], { from: 0, to: 0.4 }, 1)).toEqual([{ from: 0, to: 0.4 }]);
    expect(coversWhole(resplit(subSegments({ from: 0, to: 0.5 }, 3), { from: 0, to: 1 }, 3).concat())).toBe(true);
  });
});
