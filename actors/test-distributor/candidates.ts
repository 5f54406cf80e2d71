// The nodes as the distributor sees them, built from what the peer knows: membership, the node
// monitor's health and the resource pool's capacities and allocations.
import type { Candidate } from '../../src/distribution.js';
import type { ClusterHealth } from '../../src/health.js';
import type { Allocation } from '../../src/resources.js';

export interface ClusterView {
  /** Every known member, this peer included. */
  members: readonly { node_id: string; status: 'alive' | 'suspect' | 'dead'; capabilities: readonly string[]; location: string }[];
  health: ClusterHealth;
  capacity: Readonly<Record<string, Readonly<Record<string, number>>>>;
  allocations: readonly Allocation[];
}

export function candidatesOf(view: ClusterView): Candidate[] {
  const health = new Map(view.health.nodes.map((n) => [n.node_id, n]));
  return view.members.map((m) => {
    const capacity = { ...(view.capacity[m.node_id] ?? {}) };
    const free = { ...capacity };
    for (const a of view.allocations) for (const [type, amount] of Object.entries(a.placement[m.node_id] ?? {})) free[type] = (free[type] ?? 0) - amount;
    const h = health.get(m.node_id);
    return {
      node_id: m.node_id,
      status: m.status,
      capabilities: m.capabilities,
      location: m.location,
      health: h ? { state: h.state, score: h.score, cpu_percent: h.sample?.cpu_percent ?? 0 } : null,
      capacity,
      free,
      active_runs: h?.sample?.process.active_runs ?? 0,
    };
  });
}
