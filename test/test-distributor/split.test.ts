import { describe, expect, it } from 'vitest';
import { eligibleGenerators, splitEqually } from '../../actors/test-distributor/split.js';
import { coversWhole } from '../../src/execution/segment.js';

describe('splitting a task across generators', () => {
  it('gives each node an equal segment and covers (0, 1] exactly', () => {
    for (let n = 1; n <= 13; n++) {
      const nodes = Array.from({ length: n }, (_, i) => `n${String(i).padStart(2, '0')}`);
      const split = splitEqually(nodes);
      expect(split.size).toBe(n);
      expect(coversWhole(split.values())).toBe(true);
      for (const s of split.values()) expect(s.to - s.from).toBeCloseTo(1 / n, 12);
      expect([...split.values()].at(-1)!.to).toBe(1);
    }
  });

  it('only alive peers with the capability generate, in a stable order', () => {
    expect(
      eligibleGenerators([
        { node_id: 'c', capabilities: ['http_load'], status: 'alive' },
        { node_id: 'a', capabilities: ['http_load'], status: 'alive' },
        { node_id: 'b', capabilities: ['http_load'], status: 'dead' },
        { node_id: 'd', capabilities: ['security'], status: 'alive' },
        { node_id: 'e', capabilities: ['http_load'], status: 'suspect' },
      ]),
    ).toEqual(['a', 'c']);
  });

  it('detects gaps and overlaps', () => {
    expect(coversWhole([{ from: 0, to: 0.5 }, { from: 0.5, to: 1 }])).toBe(true);
    expect(coversWhole([{ from: 0, to: 0.4 }, { from: 0.5, to: 1 }])).toBe(false);
    expect(coversWhole([{ from: 0, to: 0.6 }, { from: 0.5, to: 1 }])).toBe(false);
  });
});
