// How the scenarios of a workload are placed on nodes: the contract between the coordinator (which
// asks) and the test distributor (which decides). The composition root injects the function.

export const STRATEGIES = ['round_robin', 'least_loaded', 'capability_based', 'locality_aware', 'weighted', 'adaptive'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** A node as the distributor sees it. */
export interface Candidate {
  node_id: string;
  status: 'alive' | 'suspect' | 'dead';
  capabilities: readonly string[];
  location: string;
  /** From the node monitor; null when none heard yet. */
  health: { state: 'healthy' | 'warning' | 'critical' | 'failed'; score: number; cpu_percent: number } | null;
  /** Capacity per resource type (cpu cores, memory bytes, disk bytes, network mbps, custom units). */
  capacity: Readonly<Record<string, number>>;
  /** What is not allocated yet, per resource type. */
  free: Readonly<Record<string, number>>;
  /** Load runs and scenarios active on it now. */
  active_runs: number;
}

/** What placement needs of a scenario. */
export interface ScenarioDemand {
  scenario_id: string;
  required_capabilities: readonly string[];
  resource_requirements: Readonly<Record<string, number>>;
  location?: string | undefined;
  /** How many nodes share it (default 1). */
  nodes: number;
}

/** What earlier runs taught about a node (for `adaptive`). */
export interface NodeRecord {
  runs: number;
  saturated_runs: number;
  /** Requests per second it achieved, exponentially averaged over its runs. */
  throughput_rps: number;
  /** Achieved over asked rate, exponentially averaged (1 = kept up). */
  kept_up: number;
}
export type History = Readonly<Record<string, NodeRecord>>;

export interface Rejection {
  node_id: string;
  missing: string[];
}

export type Placement =
  | { scenario_id: string; ok: true; nodes: string[] }
  | { scenario_id: string; ok: false; reason: string; rejected: Rejection[] };

export interface DistributionInput {
  strategy: Strategy;
  scenarios: readonly ScenarioDemand[];
  candidates: readonly Candidate[];
  history: History;
  /** Where round robin starts (advances by one per placed node). */
  cursor: number;
}

export interface DistributionPlan {
  strategy: Strategy;
  placements: Placement[];
  cursor: number;
}

export type DistributeFn = (input: DistributionInput) => DistributionPlan;
