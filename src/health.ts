// Node health as it crosses roles and the wire: the sample each peer gossips, alerts, and what other
// parts of the peer (HTTP, metrics, distribution) may ask of the node monitor.
import { z } from 'zod';

export const HEALTH_STATES = ['healthy', 'warning', 'critical', 'failed'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

const percent = z.number().min(0).max(100);
const nonNegative = z.number().nonnegative();

export const AlertSchema = z.object({
  id: z.string().max(256),
  node: z.string().max(128),
  metric: z.string().max(128),
  level: z.enum(['warning', 'critical']),
  value: z.number(),
  threshold: z.number(),
  raised_at: z.number().int(),
  resolved_at: z.number().int().nullable(),
});
export type Alert = z.infer<typeof AlertSchema>;

export const CheckResultSchema = z.object({
  name: z.string().max(128),
  kind: z.enum(['http', 'tcp', 'function']),
  ok: z.boolean(),
  latency_ms: nonNegative,
  error: z.string().max(512).nullable(),
  at: z.number().int(),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

/** What this peer's own process did over the last probe: the generator's share of the machine. */
export const ProcessProbeSchema = z.object({
  at: z.number().int(),
  /** Process CPU time over wall time, percent of one core (a Node process runs JS on one). */
  cpu_percent: nonNegative,
  /** Fraction of wall time the event loop was busy (0–1), the busiest of the peer's and its load workers': near 1 means CPU-bound. */
  event_loop_utilization: z.number().min(0).max(1),
  event_loop_delay_p99_ms: nonNegative,
  event_loop_delay_max_ms: nonNegative,
  /** Load runs active on this peer at the time. */
  active_runs: z.number().int().nonnegative(),
});
export type ProcessProbe = z.infer<typeof ProcessProbeSchema>;

export const HealthSampleSchema = z.object({
  node_id: z.string().min(1).max(128),
  at: z.number().int(),
  seq: z.number().int().nonnegative(),
  cpu_percent: percent,
  cpu_cores: z.number().int().positive(),
  memory_percent: percent,
  memory_used_bytes: nonNegative,
  memory_total_bytes: nonNegative,
  disk_percent: percent,
  disk_used_bytes: nonNegative,
  disk_total_bytes: nonNegative,
  network_rx_bytes_per_s: nonNegative,
  network_tx_bytes_per_s: nonNegative,
  load_average: z.tuple([nonNegative, nonNegative, nonNegative]),
  process: ProcessProbeSchema,
  checks: z.array(CheckResultSchema).max(64),
  score: z.number().min(0).max(100),
  state: z.enum(HEALTH_STATES),
  active_alerts: z.array(AlertSchema).max(64),
});
export type HealthSample = z.infer<typeof HealthSampleSchema>;

export interface NodeHealth {
  node_id: string;
  state: HealthState;
  score: number;
  /** The newest sample heard from it (null: none yet). */
  sample: HealthSample | null;
  /** Why it is `failed`, when it is. */
  reason?: string;
}

export interface ClusterHealth {
  healthy_nodes: number;
  warning_nodes: number;
  critical_nodes: number;
  failed_nodes: number;
  average_health_score: number;
  nodes: NodeHealth[];
}

/** How a generator's share of a run is judged: CPU-bound, or its event loop lagged. Its final delta carries it. */
export const SaturationSchema = z.object({
  node_id: z.string().max(128),
  saturated: z.boolean(),
  reasons: z.array(z.string().max(500)).max(16),
  probes: z.number().int().nonnegative(),
  max_cpu_percent: z.number(),
  max_event_loop_utilization: z.number(),
  max_event_loop_delay_p99_ms: z.number(),
});
export type Saturation = z.infer<typeof SaturationSchema>;

/** What the rest of the peer may ask of the node monitor (HTTP, metrics, distribution, reports). */
export interface HealthSource {
  /** The newest sample of every node heard from, this one included. */
  latestSamples(): Map<string, HealthSample>;
  /** Every known member's health and the cluster's aggregate. */
  cluster(): ClusterHealth;
  /** Alerts of this peer (and active ones heard from others); only active ones when asked. */
  alerts(activeOnly: boolean): Alert[];
  /** How saturated `node` was between `from` and `to` (epoch ms). */
  saturation(node: string, from: number, to: number): Saturation;
}
