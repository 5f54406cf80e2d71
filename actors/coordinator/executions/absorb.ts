// Where the share of a lost generator goes: to its neighbours, so that every other share only grows. A
// generator hears of its new share a moment after the arrivals from the move on are due (the move applies
// RESEGMENT_LEAD_MS after the decision, and a starved peer hears later than that). A share that grows
// releases the arrivals it gained late, counted (actors/load-generator/open-model.ts); a share that shrank
// would have sent arrivals that are now another's, and one that was another's and is nobody's in the
// meantime would be counted nowhere. Splitting the whole equally again on every move did both.
import type { Segment } from '../../../src/execution/segment.js';

/**
 * The new segments of the `kept` generators (node → its segment now), which with the lost ones cover the
 * whole (0, 1]. Each gap that lost generators leave goes to the two kept neighbours around it, cut so
 * that their widths come as close to equal as the gap allows; a gap at either end goes to its one
 * neighbour. Undefined when nobody is kept.
 */
export function absorb(kept: ReadonlyMap<string, Segment>): Map<string, Segment> | undefined {
  const order = [...kept].sort((a, b) => a[1].from - b[1].from).map(([node, s]) => ({ node, from: s.from, to: s.to }));
  if (order.length === 0) return undefined;
  order[0]!.from = 0;
  order[order.length - 1]!.to = 1;
  for (let i = 0; i + 1 < order.length; i++) {
    const left = order[i]!;
    const right = order[i + 1]!;
    if (left.to === right.from) continue;
    // Equal widths where the gap allows: (m - left.from) = (right.to - m).
    const m = Math.min(right.from, Math.max(left.to, (left.from + right.to) / 2));
    left.to = m;
    right.from = m;
  }
  return new Map(order.map((s) => [s.node, { from: s.from, to: s.to }]));
}
