// The baseline gate of a performance_test: this run's rate, error rate and latency percentiles against an
// earlier report's, each within a tolerance. Pure: `compareWithBaseline` is a function of two summaries.
//
//   baseline:
//     execution_id: <id>          (the API: an earlier execution of this cluster; the CLI: --baseline FILE)
//     tolerances:
//       rps: 10%                  how far the rate may fall (relative)
//       error_rate: 1%            how far the error rate may rise (absolute, percentage points)
//       latency: 10%              how far any latency percentile may rise (relative) ...
//       p99: 20%                  ... or one of them (p50, p90, p95, p99, p999, mean)
//       latency_floor: 1ms        latency changes smaller than this are noise, never a regression
import { z } from 'zod';
import { durationSchema } from './duration.js';

export const LATENCY_METRICS = ['p50', 'p90', 'p95', 'p99', 'p999', 'mean'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

/** A fraction: 0.1, or "10%". */
const fraction = z.union([z.number().min(0).max(100), z.string().regex(/^\s*\d+(?:\.\d+)?\s*%\s*$/, 'expected a fraction (0.1) or a percentage ("10%")')]).transform((v) => (typeof v === 'number' ? v : Number(v.replace('%', '')) / 100));

export const tolerancesSchema = z.strictObject({
  rps: fraction.optional(),
  error_rate: fraction.optional(),
  latency: fraction.optional(),
  ...Object.fromEntries(LATENCY_METRICS.map((m) => [m, fraction.optional()])),
  latency_floor: durationSchema({ max: 60 }).optional(),
}) as z.ZodType<RawTolerances, unknown>;

type RawTolerances = { rps?: number; error_rate?: number; latency?: number; latency_floor?: number } & Partial<Record<LatencyMetric, number>>;

export const baselineSchema = z.strictObject({
  execution_id: z.string().min(1).optional(),
  tolerances: tolerancesSchema.optional(),
});

export interface Tolerances {
  /** Relative fall of the rate allowed. */
  rps: number;
  /** Absolute rise of the error rate allowed (a fraction). */
  error_rate: number;
  /** Relative rise allowed per latency metric. */
  latency: Record<LatencyMetric, number>;
  /** Milliseconds: smaller latency changes are never regressions. */
  latency_floor_ms: number;
}

export interface BaselineSpec {
  execution_id?: string;
  tolerances: Tolerances;
}

export const DEFAULT_TOLERANCES: Tolerances = {
  rps: 0.1,
  error_rate: 0.01,
  latency: { p50: 0.1, p90: 0.1, p95: 0.1, p99: 0.1, p999: 0.1, mean: 0.1 },
  latency_floor_ms: 1,
};

export function baselineSpec(raw: z.output<typeof baselineSchema> | undefined): BaselineSpec {
  const t = raw?.tolerances ?? {};
  const latency = { ...DEFAULT_TOLERANCES.latency };
  for (const m of LATENCY_METRICS) latency[m] = t[m] ?? t.latency ?? DEFAULT_TOLERANCES.latency[m];
  return {
    ...(raw?.execution_id !== undefined ? { execution_id: raw.execution_id } : {}),
    tolerances: {
      rps: t.rps ?? DEFAULT_TOLERANCES.rps,
      error_rate: t.error_rate ?? DEFAULT_TOLERANCES.error_rate,
      latency,
      latency_floor_ms: t.latency_floor !== undefined ? t.latency_floor * 1000 : DEFAULT_TOLERANCES.latency_floor_ms,
    },
  };
}

/** The figures compared: a report's summary has them. */
export interface BaselineFigures {
  requests_per_second: number;
  error_rate: number;
  latency_ms: Record<LatencyMetric, number>;
}

export interface MetricComparison {
  metric: 'rps' | 'error_rate' | LatencyMetric;
  baseline: number;
  current: number;
  /** Relative change for rps and latency (0.12 = +12 %), absolute for error_rate. */
  change: number;
  tolerance: number;
  regressed: boolean;
}

export interface BaselineComparison {
  passed: boolean;
  /** One sentence per regression, naming the metric, both values and the tolerance. */
  regressions: string[];
  metrics: MetricComparison[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const relative = (current: number, baseline: number) => (baseline === 0 ? (current === 0 ? 0 : Infinity) : (current - baseline) / baseline);

/** Compares every metric; a metric regresses when it is worse than the baseline by more than its tolerance. */
export function compareWithBaseline(current: BaselineFigures, baseline: BaselineFigures, tolerances: Tolerances): BaselineComparison {
  const metrics: MetricComparison[] = [];
  const regressions: string[] = [];

  const rpsChange = relative(current.requests_per_second, baseline.requests_per_second);
  const rpsRegressed = -rpsChange > tolerances.rps;
  metrics.push({ metric: 'rps', baseline: baseline.requests_per_second, current: current.requests_per_second, change: rpsChange, tolerance: tolerances.rps, regressed: rpsRegressed });
  if (rpsRegressed) regressions.push(`rps fell ${pct(-rpsChange)} (${baseline.requests_per_second} → ${current.requests_per_second} req/s), more than the ${pct(tolerances.rps)} allowed`);

  const errChange = current.error_rate - baseline.error_rate;
  const errRegressed = errChange > tolerances.error_rate + 1e-12;
  metrics.push({ metric: 'error_rate', baseline: baseline.error_rate, current: current.error_rate, change: errChange, tolerance: tolerances.error_rate, regressed: errRegressed });
  if (errRegressed) regressions.push(`error_rate rose ${pct(errChange)} points (${pct(baseline.error_rate)} → ${pct(current.error_rate)}), more than the ${pct(tolerances.error_rate)} allowed`);

  for (const m of LATENCY_METRICS) {
    const b = baseline.latency_ms[m];
    const c = current.latency_ms[m];
    const change = relative(c, b);
    const tolerance = tolerances.latency[m];
    const regressed = change > tolerance && c - b > tolerances.latency_floor_ms;
    metrics.push({ metric: m, baseline: b, current: c, change, tolerance, regressed });
    if (regressed) regressions.push(`${m} rose ${Number.isFinite(change) ? pct(change) : 'from 0'} (${b} → ${c} ms), more than the ${pct(tolerance)} allowed`);
  }
  return { passed: regressions.length === 0, regressions, metrics };
}
