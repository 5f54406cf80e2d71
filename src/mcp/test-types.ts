// The test types for an agent: tools that start a stress, performance or security test from its
// parameters alone (the plan is built here and goes through start_test's guardrails and confirmation),
// and the compact view of their results that get_test and wait_for_test add to an execution's summary.
import { z } from 'zod';
import { SecurityReportSchema } from '../report/security-report.js';
import type { ExecutionReport } from '../report/index.js';
import type { TaskSections } from '../report/sections.js';
import { tool, type ToolContext, type ToolDeclaration, type ToolOutcome } from './tool.js';

const BreakingPointSchema = z.object({
  last_good_rps: z.number().nullable().describe('the highest step rate that met every objective (null: even the first broke one)'),
  first_bad_rps: z.number().nullable().describe('the step rate that broke an objective (null: none did up to max_rps)'),
  cause: z.enum(['target', 'client_saturated', 'unknown']).nullable().describe('client_saturated: a generator was saturated in the breaking step, so this is the generators\' limit, not the target\'s'),
});

const StressViewSchema = z.object({
  task: z.number().int(),
  status: z.enum(['running', 'broken', 'held']),
  breaking_point: BreakingPointSchema,
  broken_by: z.array(z.string()),
  note: z.string().optional(),
  steps: z.array(z.object({ rps: z.number(), achieved_rps: z.number(), requests: z.number().int(), error_rate: z.number(), p99_ms: z.number(), passed: z.boolean(), client_saturated: z.boolean().nullable() })),
});

const BaselineViewSchema = z.object({ task: z.number().int(), source: z.string(), passed: z.boolean(), regressions: z.array(z.string()) });
const SecurityViewSchema = SecurityReportSchema.extend({ task: z.number().int() });

export const TestTypesViewSchema = z.object({
  stress: z.array(StressViewSchema).optional(),
  baseline: z.array(BaselineViewSchema).optional(),
  security: z.array(SecurityViewSchema).optional(),
  gate: z.object({ passed: z.boolean(), failures: z.array(z.string()) }).optional().describe('once ended: thresholds, baseline regressions and medium or high findings together'),
});
export type TestTypesView = z.infer<typeof TestTypesViewSchema>;

type Sectioned = ExecutionReport & TaskSections & { tasks?: Array<{ task: number } & TaskSections>; gate?: { passed: boolean; failures: string[] } };

/** The test types' sections of a report (one task: at its top level; several: under each task), compactly. */
export function testTypesView(report: ExecutionReport): TestTypesView {
  const r = report as Sectioned;
  const parts: Array<{ task: number } & TaskSections> = r.tasks ?? [{ task: 0, ...(r.stress ? { stress: r.stress } : {}), ...(r.baseline ? { baseline: r.baseline } : {}), ...(r.security ? { security: r.security } : {}) }];
  const view: TestTypesView = {};
  const stress = parts.flatMap(({ task, stress: s }) =>
    s
      ? [{
          task,
          status: s.status,
          breaking_point: s.breaking_point,
          broken_by: s.broken_by,
          ...(s.note !== undefined ? { note: s.note } : {}),
          steps: s.steps.map((st) => ({ rps: st.rps, achieved_rps: st.achieved_rps, requests: st.requests, error_rate: st.error_rate, p99_ms: st.latency_ms.p99, passed: st.passed, client_saturated: st.client_saturated })),
        }]
      : [],
  );
  const baseline = parts.flatMap(({ task, baseline: b }) => (b ? [{ task, source: b.source, passed: b.passed, regressions: b.regressions }] : []));
  const security = parts.flatMap(({ task, security: s }) => (s ? [{ ...s, task }] : []));
  if (stress.length) view.stress = stress;
  if (baseline.length) view.baseline = baseline;
  if (security.length) view.security = security;
  if (r.gate) view.gate = r.gate;
  return view;
}

/** One line per section, for the tools' text. */
export function testTypesLine(view: TestTypesView): string {
  const parts: string[] = [];
  for (const s of view.stress ?? []) {
    const bp = s.breaking_point;
    parts.push(`stress ${s.status}: last good ${bp.last_good_rps ?? '-'} req/s, first bad ${bp.first_bad_rps ?? '-'} req/s${bp.cause === 'client_saturated' ? ' (a generator was saturated: not the target\'s limit)' : ''}`);
  }
  for (const b of view.baseline ?? []) parts.push(b.passed ? `no regression against ${b.source}` : `regressions against ${b.source}: ${b.regressions.join('; ')}`);
  for (const s of view.security ?? []) parts.push(`security: ${s.findings.length} finding(s) (high ${s.counts.high ?? 0}, medium ${s.counts.medium ?? 0}, low ${s.counts.low ?? 0})`);
  if (view.gate) parts.push(view.gate.passed ? 'gate passed' : `gate FAILED: ${view.gate.failures.join('; ')}`);
  return parts.join('; ');
}

const common = {
  name: z.string().min(1).optional().describe('the test\'s name (default: the test type)'),
  confirmation_token: z.string().optional().describe('from an earlier confirmation_required answer, for this same test'),
};

type Start = (args: { plan: Record<string, unknown>; confirmation_token?: string | undefined }, ctx: ToolContext) => Promise<ToolOutcome<unknown>>;

/** A tool that builds a one-task plan of `type` from its parameters and starts it like start_test. */
function typed(start: Start, spec: { name: string; title: string; type: string; description: string; parameters: string }, output: z.ZodObject): ToolDeclaration {
  return tool({
    name: spec.name,
    title: spec.title,
    description: `${spec.description} Starts at once and returns the execution_id (follow it with wait_for_test or get_test, whose answer carries the results); the same guardrails and confirmation as start_test.`,
    input: z.object({ ...common, parameters: z.looseObject({}).describe(spec.parameters) }),
    output,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    run: ({ name, parameters, confirmation_token }, ctx) =>
      start({ plan: { name: name ?? spec.type, tasks: [{ type: spec.type, parameters }] }, ...(confirmation_token !== undefined ? { confirmation_token } : {}) }, ctx) as Promise<ToolOutcome<never>>,
  });
}

export function testTypeTools(start: Start, output: z.ZodObject): ToolDeclaration[] {
  return [
    typed(
      start,
      {
        name: 'run_stress_test',
        title: 'Find the breaking point',
        type: 'stress_test',
        description: 'Steps the arrival rate up across the cluster until a service-level objective breaks, then stops: breaking_point { last_good_rps, first_bad_rps } with each step\'s figures, judged on every peer\'s results merged. A breaking point found while a generator was saturated is flagged cause: client_saturated.',
        parameters: 'stress_test parameters: targets [{ url, method? }], start_rps, step_rps, step_duration (whole seconds), max_rps, slo (threshold expressions, e.g. ["p99 < 500ms", "error_rate < 1%"]); optional connections, max_in_flight',
      },
      output,
    ),
    typed(
      start,
      {
        name: 'run_performance_test',
        title: 'Run a performance test against a baseline',
        type: 'performance_test',
        description: 'A load test whose gate is its thresholds and a comparison with an earlier execution (baseline.execution_id): rate, error rate and latency percentiles within tolerances; each regression is named and fails the gate.',
        parameters: 'performance_test parameters: those of load_test (targets, duration, base_rps, pattern, thresholds, ...) plus baseline { execution_id, tolerances { rps, error_rate, latency, p50..p999, latency_floor } }',
      },
      output,
    ),
    typed(
      start,
      {
        name: 'run_security_scan',
        title: 'Probe a target for web vulnerabilities',
        type: 'security_test',
        description: 'Politely probes an allow-listed target (bounded rate and request count) for reflected XSS, SQL injection, CSRF, missing security headers and permissive CORS, following same-origin links and forms to the asked depth. Each finding names its kind, severity, the request that proves it, the evidence and a remediation. Requires authorized: true.',
        parameters: 'security_test parameters: target (URL), authorized: true (you state that probing it is allowed), scan_types [xss, sql_injection, csrf, headers, cors], depth (shallow | normal | deep), rate (req/s, at most 50), max_requests (at most 5000)',
      },
      output,
    ),
  ];
}
