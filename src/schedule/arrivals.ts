// Which arrivals of an open-model schedule a share owns, and how many fall in a window of time. The
// engine releases arrivals with these functions and the coordinator counts a lost share's arrivals with
// the same ones, so both always agree on what was scheduled.
import type { Segment } from '../execution/segment.js';
import type { RateProfile } from './rate-profile.js';

const GOLDEN_CONJUGATE = (Math.sqrt(5) - 1) / 2;

/** Position of arrival k (1-based) in (0, 1]: frac(k·φ⁻¹), so any partition of (0, 1] owns each arrival once. */
export function arrivalPosition(k: number): number {
  const p = (k * GOLDEN_CONJUGATE) % 1;
  return p === 0 ? 1 : p;
}

export function ownsArrival(segment: Segment, k: number): boolean {
  const p = arrivalPosition(k);
  return p > segment.from && p <= segment.to;
}

/** Due time of arrival k, ms from the run's start: the engine and the coordinator must round alike. */
export function dueMs(profile: RateProfile, k: number): number {
  return profile.timeOf(k) * 1000;
}

/** Number of arrivals due at or before `ms` (ms from the start), i.e. the largest k with dueMs(k) <= ms. */
export function arrivalsDueBy(profile: RateProfile, ms: number): number {
  if (!(ms >= 0) || profile.total === 0) return 0;
  // The integral gives the count up to rounding; step to the exact one by the due times themselves.
  let k = Math.min(profile.total, Math.max(0, Math.floor(profile.cumulative(ms / 1000) + 1e-9)));
  while (k < profile.total && dueMs(profile, k + 1) <= ms) k++;
  while (k > 0 && dueMs(profile, k) > ms) k--;
  return k;
}

/**
 * Number of the first arrival due at or after `ms` (ms from the start; total + 1 when none is): the first
 * one a boundary at `ms` (a share's `at`, the moment it moved) leaves to what comes after it, as
 * ownedArrivals counts.
 */
export function firstArrivalFrom(profile: RateProfile, ms: number): number {
  let k = arrivalsDueBy(profile, ms);
  while (k > 0 && dueMs(profile, k) >= ms) k--;
  return k + 1;
}

/** A share held from `at` (ms from the start) until the next entry's `at`. */
export interface ShareSpan {
  at: number;
  segment: Segment;
}

/**
 * Arrivals a share owned among those due before `untilMs` (ms from the start), following its spans: the
 * segment that applies to an arrival is the last span whose `at` is at or before its due time (as the
 * engine's setSegment does). Arrivals due before the first span belong to the first span.
 */
export function ownedArrivals(profile: RateProfile, spans: readonly ShareSpan[], untilMs: number): number {
  if (spans.length === 0) return 0;
  // Every boundary as the first arrival it leaves to what follows, as the engine splits them (OpenModel.boundary).
  const last = firstArrivalFrom(profile, untilMs) - 1;
  const starts = spans.map((s) => firstArrivalFrom(profile, s.at));
  let count = 0;
  let span = 0;
  for (let k = 1; k <= last; k++) {
    while (span + 1 < spans.length && starts[span + 1]! <= k) span++;
    if (ownsArrival(spans[span]!.segment, k)) count++;
  }
  return count;
}
