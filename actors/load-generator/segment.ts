// Shares of one run among several peers. A run owns the segment (from, to] of the whole (0, 1].
// Open model: arrival k sits at position frac(k·φ⁻¹) (golden-ratio conjugate), so for any partition of
// (0, 1] each arrival belongs to exactly one segment, and every segment's share is spread evenly in time.
// Closed model: the segment takes users floor(from·U) .. floor(to·U) − 1.
import type { Segment } from '../../src/execution/segment.js';

/** A second irrational, independent of the first, so that target choice is not correlated with segments. */
const SILVER_CONJUGATE = Math.SQRT2 - 1;

export { arrivalPosition, ownsArrival } from '../../src/schedule/arrivals.js';

/** Users [first, end) of U that the segment takes. */
export function usersOf(segment: Segment, users: number): { first: number; end: number } {
  return { first: Math.floor(segment.from * users), end: Math.floor(segment.to * users) };
}

/** Cumulative weights normalised to end at 1, for pickTarget. */
export function weightTable(weights: readonly number[]): Float64Array {
  const table = new Float64Array(weights.length);
  const sum = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  weights.forEach((w, i) => {
    acc += w;
    table[i] = acc / sum;
  });
  table[weights.length - 1] = 1;
  return table;
}

/** Target for request number n: a low-discrepancy choice, so shares match the weights closely at any count. */
export function pickTarget(n: number, table: Float64Array): number {
  if (table.length === 1) return 0;
  const q = (n * SILVER_CONJUGATE) % 1;
  let i = 0;
  while (q >= table[i]! && i < table.length - 1) i++;
  return i;
}
