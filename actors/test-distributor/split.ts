// How a task is split across generators: each gets a segment (from, to] of the whole, so the shares
// of an open-model rate (or of a closed model's users) always add up to exactly what was asked.

import type { Segment } from '../../src/execution/segment.js';

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
