import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelay, backoffProblems, type BackoffPolicy } from '../../actors/messaging-hub/backoff.js';

const policy: BackoffPolicy = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 };

describe('backoffDelay', () => {
  it.each([
    // failed attempts, random, expected delay
    [1, 0, 100],
    [2, 0, 200],
    [3, 0, 400],
    [4, 0, 800],
    [5, 0, 1_000], // capped
    [50, 0, 1_000], // no overflow past the cap
    [1, 0.999999, 50], // jitter takes at most half off
    [4, 0.5, 600],
    [5, 1, 500],
    [0, 0, 100], // before any failure: the initial delay
  ])('after %i failed attempt(s) with random %f waits %i ms', (failed, random, expected) => {
    expect(backoffDelay(failed, policy, random)).toBe(expected);
  });

  it('stays within [(1 - jitter) × base, base] for any random draw', () => {
    for (let failed = 1; failed <= 10; failed++) {
      const base = Math.min(policy.maxMs, policy.initialMs * 2 ** (failed - 1));
      for (const r of [0, 0.1, 0.37, 0.5, 0.9, 0.999]) {
        const d = backoffDelay(failed, policy, r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(base * (1 - policy.jitter)));
        expect(d).toBeLessThanOrEqual(base);
      }
    }
  });

  it('is constant with factor 1 and exact with jitter 0', () => {
    expect([1, 2, 3].map((n) => backoffDelay(n, { initialMs: 70, maxMs: 70, factor: 1, jitter: 0 }, 0.9))).toEqual([70, 70, 70]);
  });
});

describe('backoffProblems', () => {
  it.each<[Partial<BackoffPolicy>, string[]]>([
    [{}, []],
    [{ initialMs: 0 }, ['backoff.initialMs']],
    [{ maxMs: 10 }, ['backoff.maxMs']],
    [{ factor: 0.5, jitter: 1.5 }, ['backoff.factor', 'backoff.jitter']],
    [{ initialMs: Number.NaN, jitter: -1 }, ['backoff.initialMs', 'backoff.maxMs', 'backoff.jitter']],
  ])('%j → %j', (patch, paths) => {
    expect(backoffProblems({ ...DEFAULT_BACKOFF, ...patch }).map((p) => p.path)).toEqual(paths);
  });
});
