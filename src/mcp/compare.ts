// Two executions side by side; a regression is the candidate worse than the baseline beyond a tolerance.
import { z } from 'zod';
import type { TestSummary } from './summary.js';

const Side = z.object({ execution_id: z.string(), name: z.string(), status: z.string(), total_requests: z.number(), requests_per_second: z.number(), error_rate: z.number(), p50_ms: z.number(), p90_ms: z.number(), p95_ms: z.number(), p99_ms: z.number(), max_ms: z.number() });

export const ComparisonSchema = z.object({
  baseline: Side,
  candidate: Side,
  changes: z.array(z.object({ metric: z.string(), baseline: z.number(), candidate: z.number(), change_percent: z.number().nullable(), better: z.enum(['lower', 'higher']), regression: z.boolean() })),
  thresholds: z.array(z.object({ expression: z.string(), target: z.string().optional(), baseline_passed: z.boolean().nullable(), candidate_passed: z.boolean().nullable() })),
  regressions: z.array(z.string()),
  tolerance: z.number(),
});
export type Comparison = z.infer<typeof ComparisonSchema>;

const side = (s: TestSummary): z.infer<typeof Side> => ({
  execution_id: s.execution_id,
  name: s.name,
  status: s.status,
  total_requests: s.total_requests,
  requests_per_second: s.requests_per_second,
  error_rate: s.error_rate,
  p50_ms: s.latency_ms.p50,
  p90_ms: s.latency_ms.p90,
  p95_ms: s.latency_ms.p95,
  p99_ms: s.latency_ms.p99,
  max_ms: s.latency_ms.max,
});

const METRICS: readonly { key: keyof z.infer<typeof Side>; better: 'lower' | 'higher' }[] = [
  { key: 'requests_per_second', better: 'higher' },
  { key: 'error_rate', better: 'lower' },
  { key: 'p50_ms', better: 'lower' },
  { key: 'p90_ms', better: 'lower' },
  { key: 'p95_ms', better: 'lower' },
  { key: 'p99_ms', better: 'lower' },
  { key: 'max_ms', better: 'lower' },
];

/** Error rates are compared in absolute terms below this, so 0 → 0.0001 is not "infinitely worse". */
const ERROR_RATE_FLOOR = 0.001;

export function compareTests(a: TestSummary, b: TestSummary, tolerance: number): Comparison {
  const baseline = side(a);
  const candidate = side(b);
  const regressions: string[] = [];
  const changes = METRICS.map(({ key, better }) => {
    const x = baseline[key] as number;
    const y = candidate[key] as number;
    const change = x === 0 ? null : Math.round(((y - x) / x) * 1000) / 10;
    const worse = better === 'lower' ? y - x : x - y;
    const allowed = key === 'error_rate' ? Math.max(ERROR_RATE_FLOOR, x * tolerance) : Math.abs(x) * tolerance;
    const regression = worse > allowed;
    if (regression) regressions.push(`${key} ${x} → ${y}${change === null ? '' : ` (${change > 0 ? '+' : ''}${change} %)`}`);
    return { metric: key, baseline: x, candidate: y, change_percent: change, better, regression };
  });
  const key = (t: { expression: string; target?: string | undefined }) => `${t.target ?? ''}|${t.expression}`;
  const before = new Map(a.thresholds.map((t) => [key(t), t]));
  const after = new Map(b.thresholds.map((t) => [key(t), t]));
  const thresholds = [...new Set([...before.keys(), ...after.keys()])].map((k) => {
    const t = (before.get(k) ?? after.get(k))!;
    const out = { expression: t.expression, ...(t.target !== undefined ? { target: t.target } : {}), baseline_passed: before.get(k)?.passed ?? null, candidate_passed: after.get(k)?.passed ?? null };
    if (out.baseline_passed === true && out.candidate_passed === false) regressions.push(`threshold ${t.target ? `${t.target}: ` : ''}${t.expression} passed, now fails`);
    return out;
  });
  return { baseline, candidate, changes, thresholds, regressions, tolerance };
}
