// What the metrics read, as narrow interfaces the composition root implements.
import type { Store } from '../store/store.js';
import type { ExecutionFeed } from '../live/execution-feed.js';

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
  status: 'healthy' | 'warning' | 'failed';
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
  /** Latest health per node; empty until a node monitor runs. */
  nodeHealth(): NodeHealthSample[];
}
