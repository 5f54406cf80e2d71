// The compact view of an execution an agent reads: totals, rate, error rate, latency percentiles,
// thresholds, per target and per node. The per-second series only when asked for.
import { z } from 'zod';
import { EXECUTION_STATUSES, type ExecutionView } from './cluster-client.js';
import { TestTypesViewSchema, testTypesView } from './test-types.js';

const latency = z.object({ mean: z.number(), p50: z.number(), p90: z.number(), p95: z.number(), p99: z.number(), max: z.number() });
export const ThresholdOutcome = z.object({ expression: z.string(), target: z.string().optional(), passed: z.boolean(), actual: z.number().nullable() });

export const TestSummarySchema = z.object({
  execution_id: z.string(),
  name: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  done: z.boolean().describe('true once the status is completed, failed or cancelled'),
  progress_percent: z.number(),
  start_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  error: z.string().nullable(),
  total_requests: z.number().int(),
  successful_requests: z.number().int(),
  failed_requests: z.number().int(),
  dropped_requests: z.number().int(),
  requests_per_second: z.number(),
  error_rate: z.number(),
  latency_ms: latency,
  status_codes: z.record(z.string(), z.number()),
  errors: z.record(z.string(), z.number()),
  thresholds: z.array(ThresholdOutcome),
  thresholds_passed: z.boolean().nullable().describe('null when the plan has no thresholds'),
  targets: z.array(z.object({ url: z.string(), method: z.string(), total_requests: z.number().int(), error_rate: z.number(), p99_ms: z.number() })),
  nodes: z.array(z.object({ node_id: z.string(), state: z.string(), total_requests: z.number().int() })),
  timeseries: z.array(z.object({ t: z.number(), requests: z.number(), errors: z.number(), rps: z.number(), p50_ms: z.number(), p99_ms: z.number() })).optional(),
  test_types: TestTypesViewSchema.optional().describe('stress: breaking point and steps; baseline: regressions; security: findings; gate: the verdict once ended'),
});
export type TestSummary = z.infer<typeof TestSummarySchema>;

export const FINAL_STATUSES: readonly string[] = ['completed', 'failed', 'cancelled'];

const pick = ({ mean, p50, p90, p95, p99, max }: z.infer<typeof latency>) => ({ mean, p50, p90, p95, p99, max });

export function summarizeExecution(view: ExecutionView, options: { timeseries?: boolean } = {}): TestSummary {
  const { report } = view;
  const s = report.summary;
  const testTypes = testTypesView(report);
  const thresholds = report.thresholds.map((t) => ({ expression: t.expression, ...(t.target !== undefined ? { target: t.target } : {}), passed: t.passed, actual: t.actual }));
  return {
    execution_id: view.execution_id,
    name: view.name,
    status: view.status,
    done: FINAL_STATUSES.includes(view.status),
    progress_percent: view.progress_percent,
    start_at: view.start_at,
    finished_at: view.finished_at,
    error: view.error,
    total_requests: s.total_requests,
    successful_requests: s.successful_requests,
    failed_requests: s.failed_requests,
    dropped_requests: s.dropped_requests,
    requests_per_second: s.requests_per_second,
    error_rate: s.error_rate,
    latency_ms: pick(s.latency_ms),
    status_codes: s.status_codes,
    errors: s.errors as Record<string, number>,
    thresholds,
    thresholds_passed: thresholds.length === 0 ? null : thresholds.every((t) => t.passed),
    targets: report.targets.map((t) => ({ url: t.url, method: t.method, total_requests: t.total_requests, error_rate: t.error_rate, p99_ms: t.latency_ms.p99 })),
    nodes: view.nodes.map((n) => ({ node_id: n.node_id, state: n.state, total_requests: n.total_requests })),
    ...(Object.keys(testTypes).length > 0 ? { test_types: testTypes } : {}),
    ...(options.timeseries ? { timeseries: report.timeseries.map(({ t, requests, errors, rps, p50_ms, p99_ms }) => ({ t, requests, errors, rps, p50_ms, p99_ms })) } : {}),
  };
}
