// Load patterns as pure functions of time, between base_rps (B) and peak_rps (P) over duration D:
//   constant   B throughout
//   ramp_up    B → P linearly;               ramp_down  P → B linearly
//   spike      B, with P during [0.4 D, 0.6 D)
//   wave       B + (P − B)·(1 − cos 2πt/T)/2 with T = D/2: two full cycles, starting and ending at B
//   random     a new level, uniform in [B, P], every second, from a seeded generator (mulberry32)
//   burst      5 cycles of D/5; P during the first fifth of each cycle, B for the rest
//   stages     k6 style: from B, linear to each stage's target over the stage's duration
import type { Pattern, Stage } from '../plan/index.js';
import { linearPiece, piecewise, smoothPiece, type Piece, type RateProfile } from './rate-profile.js';

export const SPIKE_WINDOW = [0.4, 0.6] as const;
export const WAVE_CYCLES = 2;
export const RANDOM_STEP_S = 1;
export const BURST_CYCLES = 5;
export const BURST_SHARE = 0.2;

export interface PatternSpec {
  pattern: Pattern;
  duration: number;
  base_rps: number;
  peak_rps: number;
  stages?: readonly Stage[];
  seed?: number;
}

/** Deterministic 32-bit generator; the same seed gives the same levels on every peer. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const flat = (t0: number, t1: number, r: number) => linearPiece(t0, t1, r, r);

/** Constant pieces from a list of [start, end, rate], dropping empty spans. */
function steps(spans: ReadonlyArray<readonly [number, number, number]>): Piece[] {
  return spans.filter(([t0, t1]) => t1 > t0).map(([t0, t1, r]) => flat(t0, t1, r));
}

function wave(d: number, b: number, p: number): Piece {
  const omega = (2 * Math.PI * WAVE_CYCLES) / d;
  const amp = (p - b) / 2;
  return smoothPiece(
    0,
    d,
    (x) => b + amp * (1 - Math.cos(omega * x)),
    (x) => b * x + amp * (x - Math.sin(omega * x) / omega),
  );
}

function random(d: number, b: number, p: number, seed: number): Piece[] {
  const next = mulberry32(seed);
  const pieces: Piece[] = [];
  for (let t = 0; t < d; t += RANDOM_STEP_S) pieces.push(flat(t, Math.min(d, t + RANDOM_STEP_S), b + (p - b) * next()));
  return pieces;
}

function burst(d: number, b: number, p: number): Piece[] {
  const cycle = d / BURST_CYCLES;
  const spans: [number, number, number][] = [];
  for (let i = 0; i < BURST_CYCLES; i++) {
    const t0 = i * cycle;
    spans.push([t0, t0 + cycle * BURST_SHARE, p], [t0 + cycle * BURST_SHARE, i === BURST_CYCLES - 1 ? d : t0 + cycle, b]);
  }
  return steps(spans);
}

function stagePieces(stages: readonly Stage[], start: number): Piece[] {
  const pieces: Piece[] = [];
  let t = 0;
  let from = start;
  for (const stage of stages) {
    if (stage.duration > 0) pieces.push(linearPiece(t, t + stage.duration, from, stage.target));
    t += stage.duration;
    from = stage.target;
  }
  return pieces;
}

/** The rate profile of a pattern. */
export function profileFor(spec: PatternSpec): RateProfile {
  const { duration: d, base_rps: b, peak_rps: p } = spec;
  switch (spec.pattern) {
    case 'constant':
      return piecewise([flat(0, d, b)], d);
    case 'ramp_up':
      return piecewise([linearPiece(0, d, b, p)], d);
    case 'ramp_down':
      return piecewise([linearPiece(0, d, p, b)], d);
    case 'spike':
      return piecewise(steps([[0, SPIKE_WINDOW[0] * d, b], [SPIKE_WINDOW[0] * d, SPIKE_WINDOW[1] * d, p], [SPIKE_WINDOW[1] * d, d, b]]), d);
    case 'wave':
      return piecewise([wave(d, b, p)], d);
    case 'random':
      return piecewise(random(d, b, p, spec.seed ?? 1), d);
    case 'burst':
      return piecewise(burst(d, b, p), d);
    case 'stages': {
      const stages = spec.stages ?? [];
      return piecewise(stagePieces(stages, b), stages.reduce((sum, s) => sum + s.duration, 0));
    }
  }
}
