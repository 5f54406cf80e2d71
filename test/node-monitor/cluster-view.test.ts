import { describe, expect, it } from 'vitest';
import { clusterHealth } from '../../actors/node-monitor/cluster-view.js';
import type { HealthSample } from '../../src/health.js';

const sample = (node_id: string, at: number, score: number, state: HealthSample['state']): HealthSample => ({
  node_id, at, seq: 0, cpu_percent: 10, cpu_cores: 2, memory_percent: 10, memory_used_bytes: 1, memory_total_bytes: 10, disk_percent: 10,
  disk_used_bytes: 1, disk_total_bytes: 10, network_rx_bytes_per_s: 0, network_tx_bytes_per_s: 0, load_average: [0, 0, 0],
  process: { at, cpu_percent: 1, event_loop_utilization: 0.1, event_loop_delay_p99_ms: 1, event_loop_delay_max_ms: 1, active_runs: 0 },
  checks: [], score, state, active_alerts: [],
});

describe('cluster health', () => {
  it('counts states, fails the silent and the dead, averages scores', () => {
    const samples = new Map([
      ['a', sample('a', 10_000, 96, 'healthy')],
      ['b', sample('b', 10_000, 80, 'warning')],
      ['c', sample('c', 1_000, 99, 'healthy')], // silent for 9 s
      ['d', sample('d', 10_000, 90, 'healthy')], // dead
      ['f', sample('f', 10_000, 40, 'critical')],
    ]);
    const members = [
      { node_id: 'a', status: 'alive' as const },
      { node_id: 'b', status: 'suspect' as const },
      { node_id: 'c', status: 'alive' as const },
      { node_id: 'd', status: 'dead' as const },
      { node_id: 'e', status: 'alive' as const }, // never heard
      { node_id: 'f', status: 'alive' as const },
    ];
    const h = clusterHealth(members, samples, 10_500, 5_000);
    expect(h).toMatchObject({ healthy_nodes: 1, warning_nodes: 1, critical_nodes: 1, failed_nodes: 3, average_health_score: 36 });
    expect(h.nodes.map((n) => [n.node_id, n.state])).toEqual([['a', 'healthy'], ['b', 'warning'], ['c', 'failed'], ['d', 'failed'], ['e', 'failed'], ['f', 'critical']]);
    expect(h.nodes.find((n) => n.node_id === 'c')!.reason).toBe('no health sample for 10 s');
  });

  it('an empty cluster averages to 0', () => {
    expect(clusterHealth([], new Map(), 0, 1)).toMatchObject({ failed_nodes: 0, average_health_score: 0, nodes: [] });
  });
});
