// The health score (0–100) and state of one node, from its sample and its thresholds.
//
// Each part has a penalty in [0, 1]: for a utilisation u with warning w and critical c,
//   u < w: 0.5·u/w        (an idle node loses almost nothing)
//   w ≤ u < c: 0.5 + 0.5·(u − w)/(c − w)
//   u ≥ c: 1
// and for custom checks the fraction that failed. The score is
//   100 · (1 − 0.30·cpu − 0.25·memory − 0.15·disk − 0.10·event_loop_delay − 0.20·checks), rounded to 0.1.
// The state is `critical` when any part reached its critical threshold or the score is below 50,
// `warning` when any part reached its warning threshold, a check failed, or the score is below 75,
// otherwise `healthy`. `failed` (silent or dead) is decided by the cluster view, not here.
import type { HealthState } from '../../src/health.js';

export interface AlertThresholds {
  cpu_warning: number;
  cpu_critical: number;
  memory_warning: number;
  memory_critical: number;
  disk_warning: number;
  disk_critical: number;
  event_loop_delay_warning_ms: number;
  event_loop_delay_critical_ms: number;
}

export const WEIGHTS = { cpu: 0.3, memory: 0.25, disk: 0.15, event_loop_delay: 0.1, checks: 0.2 } as const;

export interface ScoreInput {
  cpu_percent: number;
  memory_percent: number;
  disk_percent: number;
  event_loop_delay_ms: number;
  checks_total: number;
  checks_failed: number;
}

export function penalty(value: number, warning: number, critical: number): number {
  if (!(value > 0)) return 0;
  if (value >= critical) return 1;
  if (value < warning) return (0.5 * value) / warning;
  return 0.5 + (0.5 * (value - warning)) / (critical - warning);
}

/** The parts of a sample, each with its value and thresholds. */
export function parts(input: ScoreInput, t: AlertThresholds) {
  return [
    { metric: 'cpu', value: input.cpu_percent, warning: t.cpu_warning, critical: t.cpu_critical },
    { metric: 'memory', value: input.memory_percent, warning: t.memory_warning, critical: t.memory_critical },
    { metric: 'disk', value: input.disk_percent, warning: t.disk_warning, critical: t.disk_critical },
    { metric: 'event_loop_delay', value: input.event_loop_delay_ms, warning: t.event_loop_delay_warning_ms, critical: t.event_loop_delay_critical_ms },
  ] as const;
}

export function healthScore(input: ScoreInput, t: AlertThresholds): number {
  let lost = 0;
  for (const p of parts(input, t)) lost += WEIGHTS[p.metric] * penalty(p.value, p.warning, p.critical);
  if (input.checks_total > 0) lost += (WEIGHTS.checks * input.checks_failed) / input.checks_total;
  return Math.round(Math.max(0, 100 * (1 - lost)) * 10) / 10;
}

export function healthState(input: ScoreInput, t: AlertThresholds, score = healthScore(input, t)): Exclude<HealthState, 'failed'> {
  const ps = parts(input, t);
  if (score < 50 || ps.some((p) => p.value >= p.critical)) return 'critical';
  if (score < 75 || input.checks_failed > 0 || ps.some((p) => p.value >= p.warning)) return 'warning';
  return 'healthy';
}
