// The cluster's health as one peer sees it: each member's newest sample, judged stale after a while.
import type { ClusterHealth, HealthSample, NodeHealth } from '../../src/health.js';

export interface MemberStatus {
  node_id: string;
  status: 'alive' | 'suspect' | 'dead';
}

/** A node that has sent no sample for `staleMs` (or is dead) counts as failed with score 0. */
export function clusterHealth(members: readonly MemberStatus[], samples: ReadonlyMap<string, HealthSample>, now: number, staleMs: number): ClusterHealth {
  const nodes = members.map((m): NodeHealth => {
    const sample = samples.get(m.node_id) ?? null;
    if (m.status === 'dead') return { node_id: m.node_id, state: 'failed', score: 0, sample, reason: 'member is dead' };
    if (!sample) return { node_id: m.node_id, state: 'failed', score: 0, sample, reason: 'no health sample heard yet' };
    if (now - sample.at > staleMs) return { node_id: m.node_id, state: 'failed', score: 0, sample, reason: `no health sample for ${Math.round((now - sample.at) / 1000)} s` };
    return { node_id: m.node_id, state: sample.state, score: sample.score, sample };
  });
  nodes.sort((a, b) => (a.node_id < b.node_id ? -1 : 1));
  const count = (state: NodeHealth['state']) => nodes.filter((n) => n.state === state).length;
  const average = nodes.length === 0 ? 0 : nodes.reduce((s, n) => s + n.score, 0) / nodes.length;
  return {
    healthy_nodes: count('healthy'),
    warning_nodes: count('warning'),
    critical_nodes: count('critical'),
    failed_nodes: count('failed'),
    average_health_score: Math.round(average * 10) / 10,
    nodes,
  };
}
