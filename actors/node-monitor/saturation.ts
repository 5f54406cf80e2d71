// Was a generator overloaded while it measured? A client that is CPU-bound or whose event loop lags
// adds its own queueing to every latency it records: its share of the report must say so.
import type { ProcessProbe, Saturation } from '../../src/health.js';

export interface SaturationBounds {
  /** Busy fraction of the event loop at or above which the generator counts as CPU-bound. */
  event_loop_utilization: number;
  /** Event-loop delay p99 (ms) at or above which timers and sends ran late. */
  event_loop_delay_ms: number;
}

/** Probes are taken each second; one covering the last second of a run lands just after its end. */
const PROBE_SLACK_MS = 1_500;

export function assessSaturation(node: string, probes: readonly ProcessProbe[], from: number, to: number, bounds: SaturationBounds): Saturation {
  const inRun = probes.filter((p) => p.at > from && p.at <= to + PROBE_SLACK_MS && p.active_runs > 0);
  const max = (f: (p: ProcessProbe) => number) => inRun.reduce((m, p) => Math.max(m, f(p)), 0);
  const out: Saturation = {
    node_id: node,
    saturated: false,
    reasons: [],
    probes: inRun.length,
    max_cpu_percent: Math.round(max((p) => p.cpu_percent) * 10) / 10,
    max_event_loop_utilization: Math.round(max((p) => p.event_loop_utilization) * 1000) / 1000,
    max_event_loop_delay_p99_ms: Math.round(max((p) => p.event_loop_delay_p99_ms) * 10) / 10,
  };
  if (out.max_event_loop_utilization >= bounds.event_loop_utilization) {
    out.reasons.push(`CPU-bound: event loop busy ${(out.max_event_loop_utilization * 100).toFixed(0)}% of the time (bound ${(bounds.event_loop_utilization * 100).toFixed(0)}%), process CPU up to ${out.max_cpu_percent}% of a core`);
  }
  if (out.max_event_loop_delay_p99_ms >= bounds.event_loop_delay_ms) {
    out.reasons.push(`event loop lagged: delay p99 up to ${out.max_event_loop_delay_p99_ms} ms (bound ${bounds.event_loop_delay_ms} ms)`);
  }
  out.saturated = out.reasons.length > 0;
  return out;
}

