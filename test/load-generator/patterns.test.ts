import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profileFor, type PatternSpec, type RateProfile } from '../../actors/load-generator/index.js';
import { PATTERNS } from '../../src/plan/index.js';

const B = 100;
const P = 500;
const D = 10;
const spec = (pattern: PatternSpec['pattern'], extra: Partial<PatternSpec> = {}): PatternSpec => ({ pattern, duration: D, base_rps: B, peak_rps: P, seed: 42, ...extra });

/** Arrivals per second as scheduled by the profile's inverse. */
function arrivalsPerSecond(profile: RateProfile): number[] {
  const bins = new Array<number>(Math.ceil(profile.duration)).fill(0);
  for (let k = 1; k <= profile.total; k++) bins[Math.min(bins.length - 1, Math.floor(profile.timeOf(k)))]!++;
  return bins;
}

/** What each second should hold according to the shape, integrated numerically from rate(t). */
function integratePerSecond(rate: (t: number) => number, duration: number): number[] {
  const out: number[] = [];
  const steps = 2000;
  for (let s = 0; s < Math.ceil(duration); s++) {
    let sum = 0;
    for (let i = 0; i < steps; i++) sum += rate(s + (i + 0.5) / steps) / steps;
    out.push(sum);
  }
  return out;
}

const omega = (2 * Math.PI * 2) / D;
const SHAPES: Record<string, (t: number) => number> = {
  constant: () => B,
  ramp_up: (t) => B + ((P - B) * t) / D,
  ramp_down: (t) => P - ((P - B) * t) / D,
  spike: (t) => (t >= 4 && t < 6 ? P : B),
  wave: (t) => B + ((P - B) * (1 - Math.cos(omega * t))) / 2,
  burst: (t) => (t % 2 < 0.4 ? P : B),
};

describe('patterns', () => {
  it.each(Object.entries(SHAPES))('%s follows its function second by second', (name, shape) => {
    const profile = profileFor(spec(name as PatternSpec['pattern']));
    const expected = integratePerSecond(shape, D);
    const got = arrivalsPerSecond(profile);
    got.forEach((n, s) => expect(Math.abs(n - expected[s]!)).toBeLessThanOrEqual(1.01));
    for (let t = 0.05; t < D; t += 0.37) expect(profile.rate(t)).toBeCloseTo(shape(t), 6);
  });

  it('stages ramp linearly from base_rps through each target', () => {
    const profile = profileFor({ pattern: 'stages', duration: 0, base_rps: 0, peak_rps: 0, stages: [{ duration: 4, target: 400 }, { duration: 2, target: 400 }, { duration: 4, target: 0 }] });
    const shape = (t: number) => (t < 4 ? 100 * t : t < 6 ? 400 : 400 - 100 * (t - 6));
    expect(profile.duration).toBe(10);
    expect(profile.total).toBe(2400);
    const expected = integratePerSecond(shape, 10);
    arrivalsPerSecond(profile).forEach((n, s) => expect(Math.abs(n - expected[s]!)).toBeLessThanOrEqual(1.01));
  });

  it('random is reproducible from its seed, stepwise, and within [base, peak]', () => {
    const a = profileFor(spec('random'));
    const b = profileFor(spec('random'));
    const c = profileFor(spec('random', { seed: 43 }));
    const levels = (p: RateProfile) => Array.from({ length: D }, (_, s) => p.rate(s + 0.5));
    expect(levels(a)).toEqual(levels(b));
    expect(levels(a)).not.toEqual(levels(c));
    for (const level of levels(a)) expect(level).toBeGreaterThanOrEqual(B), expect(level).toBeLessThanOrEqual(P);
    expect(a.rate(3.1)).toBe(a.rate(3.9));
    arrivalsPerSecond(a).forEach((n, s) => expect(Math.abs(n - levels(a)[s]!)).toBeLessThanOrEqual(1.01));
    expect([...Array(a.total)].map((_, i) => a.timeOf(i + 1))).toEqual([...Array(b.total)].map((_, i) => b.timeOf(i + 1)));
  });

  it('constant 500 req/s for 4 s is 2000 arrivals at k/500 s', () => {
    const p = profileFor({ pattern: 'constant', duration: 4, base_rps: 500, peak_rps: 500 });
    expect(p.total).toBe(2000);
    for (const k of [1, 2, 250, 1999, 2000]) expect(p.timeOf(k)).toBeCloseTo(k / 500, 12);
  });

  it('every schedule is increasing and inverts its integral (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PATTERNS.filter((p) => p !== 'stages')),
        fc.double({ min: 0, max: 300, noNaN: true }),
        fc.double({ min: 0, max: 300, noNaN: true }),
        fc.double({ min: 0.1, max: 20, noNaN: true }),
        fc.integer(),
        (pattern, x, y, duration, seed) => {
          const profile = profileFor({ pattern, duration, base_rps: Math.min(x, y), peak_rps: Math.max(x, y), seed });
          expect(profile.total).toBe(Math.floor(profile.cumulative(duration) + 1e-9));
          let last = 0;
          for (let k = 1; k <= profile.total; k++) {
            const t = profile.timeOf(k);
            expect(t).toBeGreaterThanOrEqual(last);
            expect(t).toBeLessThanOrEqual(duration);
            expect(Math.abs(profile.cumulative(t) - k)).toBeLessThan(1e-6);
            last = t;
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
