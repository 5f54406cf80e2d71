// Sets of delta sequence numbers as sorted, disjoint, inclusive ranges: a run's deltas are numbered
// 1..n, so what a peer holds of one run is nearly always a single range, whatever n is.
export type SeqRange = [number, number];

/** The ranges covering exactly `seqs` (any order, duplicates allowed). */
export function toRanges(seqs: Iterable<number>): SeqRange[] {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const out: SeqRange[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}

/** Sorted, merged copies of possibly overlapping or unordered ranges (as they may arrive from the wire). */
export function normalize(ranges: readonly (readonly [number, number])[]): SeqRange[] {
  const sorted = ranges.filter(([lo, hi]) => lo <= hi).map(([lo, hi]): SeqRange => [lo, hi]).sort((a, b) => a[0] - b[0]);
  const out: SeqRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}

/** The seqs in `have` that are not in `minus`, as ranges. */
export function subtract(have: readonly (readonly [number, number])[], minus: readonly (readonly [number, number])[]): SeqRange[] {
  const out: SeqRange[] = [];
  const cut = normalize(minus);
  for (const [lo, hi] of normalize(have)) {
    let from = lo;
    for (const [clo, chi] of cut) {
      if (chi < from || clo > hi) continue;
      if (clo > from) out.push([from, clo - 1]);
      from = Math.max(from, chi + 1);
      if (from > hi) break;
    }
    if (from <= hi) out.push([from, hi]);
  }
  return out;
}

export function countOf(ranges: readonly (readonly [number, number])[]): number {
  return normalize(ranges).reduce((n, [lo, hi]) => n + hi - lo + 1, 0);
}

export function* seqsOf(ranges: readonly (readonly [number, number])[]): Generator<number> {
  for (const [lo, hi] of normalize(ranges)) for (let s = lo; s <= hi; s++) yield s;
}
