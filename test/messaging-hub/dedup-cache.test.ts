import { describe, expect, it } from 'vitest';
import { DedupCache } from '../../actors/messaging-hub/dedup-cache.js';

type Step = ['set', string, number] | ['get', string, number, string | undefined] | ['size', number];

describe('DedupCache (TTL 100 ms, at most 3 entries)', () => {
  it.each<[string, Step[]]>([
    ['remembers a reply within the TTL', [['set', 'a', 0], ['get', 'a', 99, 'a@0']]],
    ['forgets it at the TTL', [['set', 'a', 0], ['get', 'a', 100, undefined], ['size', 0]]],
    ['evicts the oldest past the cap', [['set', 'a', 0], ['set', 'b', 1], ['set', 'c', 2], ['set', 'd', 3], ['get', 'a', 4, undefined], ['get', 'b', 4, 'b@1'], ['size', 3]]],
    ['re-setting a key renews it', [['set', 'a', 0], ['set', 'b', 1], ['set', 'a', 50], ['get', 'a', 120, 'a@50'], ['get', 'b', 120, undefined]]],
    ['re-setting a key protects it from the cap', [['set', 'a', 0], ['set', 'b', 1], ['set', 'c', 2], ['set', 'a', 3], ['set', 'd', 4], ['get', 'a', 5, 'a@3'], ['get', 'b', 5, undefined]]],
    ['expiry frees room before the cap bites', [['set', 'a', 0], ['set', 'b', 0], ['set', 'c', 0], ['set', 'd', 100], ['size', 1]]],
    ['an unknown key is absent', [['set', 'a', 0], ['get', 'z', 1, undefined]]],
  ])('%s', (_, steps) => {
    const cache = new DedupCache<string>(100, 3);
    for (const step of steps) {
      switch (step[0]) {
        case 'set':
          cache.set(step[1], `${step[1]}@${step[2]}`, step[2]);
          break;
        case 'get':
          expect(cache.get(step[1], step[2])?.value).toBe(step[3]);
          break;
        case 'size':
          expect(cache.size).toBe(step[1]);
          break;
      }
    }
  });

  it('finds a remembered undefined reply', () => {
    const cache = new DedupCache<unknown>(100, 3);
    cache.set('a', undefined, 0);
    expect(cache.get('a', 1)).toEqual({ value: undefined });
  });

  it('reports evictions and refuses a useless configuration', () => {
    const cache = new DedupCache<number>(1_000, 2);
    expect([cache.set('a', 1, 0), cache.set('b', 2, 0), cache.set('c', 3, 0)]).toEqual([0, 0, 1]);
    expect(() => new DedupCache(0, 1)).toThrow(RangeError);
    expect(() => new DedupCache(1, 0)).toThrow(RangeError);
  });
});
