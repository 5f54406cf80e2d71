// How a task is split across generators: each gets a segment (from, to] of the whole, so the shares
// of an open-model rate (or of a closed model's users) always add up to exactly what was asked.

export interface Segment {
  from: number;
  to: number;
}

export interface Candidate {
  node_id: string;
  capabilities: readonly string[];
  status: 'alive' | 'suspect' | 'dead';
}

export const LOAD_CAPABILITY = 'http_load';

/** The peers that can generate HTTP load now, in a stable order. */
export function eligibleGenerators(candidates: readonly Candidate[], capability = LOAD_CAPABILITY): string[] {
  return candidates
    .filter((c) => c.status === 'alive' && c.capabilities.includes(capability))
    .map((c) => c.node_id)
    .sort();
}

/** Equal consecutive segments of (0, 1], one per node, in the given order. The last ends exactly at 1. */
export function splitEqually(nodes: readonly string[]): Map<string, Segment> {
  const out = new Map<string, Segment>();
  nodes.forEach((node, i) => out.set(node, { from: i / nodes.length, to: i === nodes.length - 1 ? 1 : (i + 1) / nodes.length }));
  return out;
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
