// A share of one task among several peers: the segment (from, to] of the whole (0, 1]. The load engine
// decides which arrivals (or users) a segment owns; the test distributor splits the whole into segments.
import { z } from 'zod';
import { McpError } from '../errors.js';

export const SegmentSchema = z.object({ from: z.number().min(0).max(1), to: z.number().min(0).max(1) });
export type Segment = z.infer<typeof SegmentSchema>;

export const WHOLE: Segment = { from: 0, to: 1 };

export function checkSegment(from: number, to: number): Segment {
  if (!(Number.isFinite(from) && Number.isFinite(to) && from >= 0 && to <= 1 && from <= to)) {
    throw new McpError('SEGMENT_INVALID', `segment (${from}, ${to}] is not within (0, 1] with from <= to`);
  }
  return { from, to };
}

/** True when the segments cover (0, 1] exactly once. */
export function coversWhole(segments: Iterable<Segment>): boolean {
  const sorted = [...segments].sort((a, b) => a.from - b.from);
  let at = 0;
  for (const s of sorted) {
    if (Math.abs(s.from - at) > 1e-12 || s.to <= s.from) return false;
    at = s.to;
  }
  return Math.abs(at - 1) < 1e-12;
}
