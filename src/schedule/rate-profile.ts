// A rate profile: rate(t) in req/s over [0, duration], its integral, and the inverse of that integral,
// so that arrival n is due at the first t where ∫₀ᵗ rate = n. Pure: peers that share a start time
// compute the same schedule.

export interface RateProfile {
  /** Seconds. */
  readonly duration: number;
  /** Arrivals in (0, duration]: floor of the integral over the whole run. */
  readonly total: number;
  /** req/s at t seconds (0 outside [0, duration)). */
  rate(t: number): number;
  /** Expected arrivals in (0, t]. */
  cumulative(t: number): number;
  /** Seconds from the start at which arrival n (1-based) is due. */
  timeOf(n: number): number;
}

/** A piece of a profile over [t0, t1] that knows its own integral and its inverse. */
export interface Piece {
  readonly t0: number;
  readonly t1: number;
  /** Rate at x seconds into the piece. */
  rateAt(x: number): number;
  /** Arrivals in the first x seconds of the piece. */
  areaTo(x: number): number;
  /** Seconds into the piece at which `area` arrivals have accrued (0 < area <= whole area). */
  inverse(area: number): number;
}

/** Rate going linearly from r0 to r1 over [t0, t1]: an exact inverse by the quadratic formula. */
export function linearPiece(t0: number, t1: number, r0: number, r1: number): Piece {
  const span = t1 - t0;
  const a = span > 0 ? (r1 - r0) / (2 * span) : 0;
  return {
    t0,
    t1,
    rateAt: (x) => r0 + 2 * a * x,
    areaTo: (x) => r0 * x + a * x * x,
    inverse(area) {
      // a·x² + r0·x − area = 0, in the form that stays stable when a is 0 or r0 is 0.
      const root = Math.sqrt(Math.max(0, r0 * r0 + 4 * a * area));
      const x = (2 * area) / (r0 + root);
      return Number.isFinite(x) ? Math.min(Math.max(x, 0), span) : span;
    },
  };
}

/** A piece given by smooth functions; the inverse is Newton's method kept inside a bisection bracket. */
export function smoothPiece(t0: number, t1: number, rateAt: (x: number) => number, areaTo: (x: number) => number): Piece {
  const span = t1 - t0;
  return {
    t0,
    t1,
    rateAt,
    areaTo,
    inverse(area) {
      let lo = 0;
      let hi = span;
      let x = (area / Math.max(areaTo(span), Number.MIN_VALUE)) * span;
      for (let i = 0; i < 100; i++) {
        const f = areaTo(x) - area;
        if (Math.abs(f) < 1e-9) break;
        if (f > 0) hi = x;
        else lo = x;
        const slope = rateAt(x);
        let next = slope > 0 ? x - f / slope : NaN;
        if (!(next > lo && next < hi)) next = (lo + hi) / 2;
        if (Math.abs(next - x) < 1e-12) {
          x = next;
          break;
        }
        x = next;
      }
      return x;
    },
  };
}

/** Joins contiguous pieces covering [0, duration] into a profile. */
export function piecewise(pieces: readonly Piece[], duration: number): RateProfile {
  const starts: number[] = [];
  const ends: number[] = [];
  let area = 0;
  for (const p of pieces) {
    starts.push(area);
    area += p.areaTo(p.t1 - p.t0);
    ends.push(area);
  }
  const total = Math.floor(area + 1e-9);
  const pieceAt = (t: number): number => {
    let lo = 0;
    let hi = pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pieces[mid]!.t0 <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  let cursor = 0;
  return {
    duration,
    total,
    rate(t) {
      if (!(t >= 0 && t < duration) || pieces.length === 0) return 0;
      const p = pieces[pieceAt(t)]!;
      return p.rateAt(t - p.t0);
    },
    cumulative(t) {
      if (!(t > 0) || pieces.length === 0) return 0;
      if (t >= duration) return area;
      const i = pieceAt(t);
      return starts[i]! + pieces[i]!.areaTo(t - pieces[i]!.t0);
    },
    timeOf(n) {
      if (pieces.length === 0 || n > area) return duration;
      // Arrivals are asked for in order, so the piece of the previous call is the likely one.
      if (!(starts[cursor]! < n && n <= ends[cursor]!)) {
        // The first piece whose end reaches n; a piece with no area (rate 0) never qualifies.
        let lo = 0;
        let hi = pieces.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (ends[mid]! < n) lo = mid + 1;
          else hi = mid;
        }
        cursor = lo;
      }
      const p = pieces[cursor]!;
      return Math.min(duration, p.t0 + p.inverse(n - starts[cursor]!));
    },
  };
}
