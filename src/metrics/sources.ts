// What the metrics read, as narrow interfaces the composition root implements.
import type { Store } from '../store/store.js';
import type { ExecutionFeed } from '../live/execution-feed.js';
import type { HealthSample, HealthState } from '../health.js';

/** The latest health of one node, as the node monitor samples and gossips it. Percentages are 0-100. */
export interface NodeHealthSample {
  node_id: string;
  cpu_percent: number;
  memory_percent: number;
  disk_percent: number;
  /** Bytes per second in and out. */
  network_bytes_per_s: number;
  /** 0-100. */
  health_score: number;
  status: HealthState;
}

/** The node monitor's gossiped sample, narrowed to what the metrics and the page show. */
export function fromHealthSample(s: HealthSample): NodeHealthSample {
  return {
    node_id: s.node_id,
    cpu_percent: s.cpu_percent,
    memory_percent: s.memory_percent,
    disk_percent: s.disk_percent,
    network_bytes_per_s: s.network_rx_bytes_per_s + s.network_tx_bytes_per_s,
    health_score: s.score,
    status: s.state,
  };
}

export interface MetricsSources {
  /** This peer's node id: its generator's runs end with it. */
  self: string;
  store: Store;
  feed: ExecutionFeed;
  /** Alive members, this peer included. */
  aliveNodes(): Promise<number>;
  /** True while this peer is the coordinator in office: cluster-wide figures are exported by it alone. */
  isCoordinator(): Promise<boolean>;
  /** Latest health per node heard from (a stale or dead one as failed, score 0). */
  nodeHealth(): NodeHealthSample[];
  /** Nodes by health state, members never heard from included, and the mean score. */
  healthSummary(): HealthSummary;
}

export interface HealthSummary {
  healthy_nodes: number;
  warning_nodes: number;
  critical_nodes: number;
  failed_nodes: number;
  average_health_score: number;
}
