// Every MCP tool, one small declaration each. Later tools (allocations, alerts, stress, security) add an
// entry here; register.ts turns each into an MCP tool with its schemas and annotations.
import { z } from 'zod';
import { inputRequired } from '@modelcontextprotocol/server';
import { McpError, ValidationError } from '../errors.js';
import { validatePlan, type Plan } from '../plan/index.js';
import { isWorkload, validateWorkload, workloadPlan } from '../plan/workload.js';
import { EXECUTION_STATUSES, ExecutionSummarySchema } from './cluster-client.js';
import { compareTests, ComparisonSchema } from './compare.js';
import { confirmationReasons } from './confirmations.js';
import { dryRun, DryRunSchema } from './dry-run.js';
import { summarizeExecution, TestSummarySchema } from './summary.js';
import { testTypeTools, testTypesLine } from './test-types.js';
import { READ_ONLY, tool, type Refusal, type ToolContext, type ToolDeclaration } from './tool.js';

const planInput = z
  .looseObject({})
  .describe('a plan { name, tasks: [{ type: "load_test", parameters }] }, as in the CLI and REST API (its JSON Schema is the resource mcpdt://plan/schema); or a workload { name, scenarios: [{ test_type, parameters, required_capabilities?, resource_requirements?, location? }], execution_mode?, strategy? }');
const executionId = z.string().min(1).describe('the execution_id start_test returned');
const ProblemSchema = z.object({ path: z.string(), message: z.string() });
const RefusalSchema = z.object({ code: z.string(), message: z.string(), path: z.string().optional(), setting: z.string().optional(), value: z.union([z.number(), z.string()]).optional(), limit: z.union([z.number(), z.string()]).optional() });

/** What a plan would do and whether it may: shared by validate_plan and start_test. */
async function assess(ctx: ToolContext, raw: unknown) {
  // A workload is judged by its scenarios' tasks; where each runs is the distributor's choice.
  const plan = isWorkload(raw) ? workloadPlan(validateWorkload(raw)) : validatePlan(raw);
  const status = await ctx.cluster.status();
  const dry = dryRun(plan, status.nodes, ctx.planner);
  return { plan, dry, refusals: await ctx.guardrails.check(plan, dry), reasons: confirmationReasons(dry, ctx.guardrails.confirm) };
}

function refuse(refusals: Refusal[]): never {
  throw new McpError('GUARDRAIL_REFUSED', `refused, nothing was sent:\n${refusals.map((r) => `  ${r.path ? `${r.path}: ` : ''}${r.message}`).join('\n')}`, { details: refusals });
}

const summaryLine = (s: z.infer<typeof TestSummarySchema>) =>
  `${s.name} ${s.status} ${s.progress_percent}%: ${s.total_requests} requests, ${s.requests_per_second} req/s, error rate ${s.error_rate}, p50 ${s.latency_ms.p50} ms, p99 ${s.latency_ms.p99} ms` +
  (s.thresholds_passed === null ? '' : `, thresholds ${s.thresholds_passed ? 'passed' : 'FAILED'}`) +
  (s.test_types && testTypesLine(s.test_types) ? `; ${testTypesLine(s.test_types)}` : '');

const StartOutput = z.object({
  status: z.enum(['started', 'confirmation_required', 'declined']),
  execution_id: z.string().optional().describe('set when started: poll it with get_test or wait_for_test'),
  confirmation_token: z.string().optional().describe('when confirmation_required: after the user agrees, call start_test again with the same plan and this token'),
  expires_at: z.string().optional(),
  reasons: z.array(z.string()).describe('why a confirmation is needed (empty when none was)'),
  dry_run: DryRunSchema,
});

async function start(args: { plan: Record<string, unknown>; confirmation_token?: string | undefined }, ctx: ToolContext) {
  const { plan, dry, refusals, reasons } = await assess(ctx, args.plan);
  if (refusals.length > 0) refuse(refusals);
  const started = async () => {
    const { execution_id } = await ctx.cluster.submit(args.plan);
    return { structured: { status: 'started' as const, execution_id, reasons, dry_run: dry }, text: `started ${execution_id}: poll it with get_test or wait_for_test` };
  };
  if (reasons.length === 0) return started();
  if (args.confirmation_token !== undefined) {
    const outcome = ctx.tokens.redeem(args.confirmation_token, plan);
    if (outcome === 'ok') return started();
    throw new McpError('CONFIRMATION_INVALID', outcome === 'other_plan' ? 'this confirmation token was issued for a different plan; nothing was sent' : 'unknown, used or expired confirmation token; nothing was sent');
  }
  if (ctx.canElicit) return elicit(plan, dry, reasons, ctx, started);
  const { token, expires_at } = ctx.tokens.issue(plan);
  return {
    structured: { status: 'confirmation_required' as const, confirmation_token: token, expires_at, reasons, dry_run: dry },
    text: `not started: ${reasons.join('; ')}. Ask the user; if they agree, call start_test again with the same plan and confirmation_token ${token}.`,
  };
}

const ConfirmAnswer = z.object({ confirm: z.boolean() });

async function elicit(plan: Plan, dry: z.infer<typeof DryRunSchema>, reasons: string[], ctx: ToolContext, started: () => Promise<{ structured: z.infer<typeof StartOutput>; text: string }>) {
  const answer = ctx.inputResponses?.confirm as { action?: string; content?: unknown } | undefined;
  if (answer === undefined) {
    const message = `Start load test "${plan.name}" on ${dry.generators.length} peer(s) for ${dry.duration_s} s? It needs confirmation: ${reasons.join('; ')}. Targets: ${[...new Set(dry.tasks.flatMap((t) => t.targets))].join(', ')}.`;
    return { inputRequired: inputRequired({ inputRequests: { confirm: inputRequired.elicit({ message, requestedSchema: ConfirmAnswer }) } }) };
  }
  const content = ConfirmAnswer.safeParse(answer.content);
  if (answer.action === 'accept' && content.success && content.data.confirm) return started();
  return { structured: { status: 'declined' as const, reasons, dry_run: dry }, text: 'the user did not confirm; nothing was sent' };
}

async function waitFor(args: { execution_id: string; timeout_s: number; timeseries: boolean }, ctx: ToolContext) {
  const started = Date.now();
  const deadline = started + args.timeout_s * 1000;
  for (;;) {
    const summary = summarizeExecution(await ctx.cluster.get(args.execution_id), { timeseries: args.timeseries });
    const waited = Math.round((Date.now() - started) / 100) / 10;
    if (summary.done || Date.now() >= deadline || ctx.signal.aborted) {
      return { structured: { ...summary, waited_s: waited, timed_out: !summary.done }, text: (summary.done ? '' : `still ${summary.status} after ${waited} s; call wait_for_test again. `) + summaryLine(summary) };
    }
    await ctx.progress?.(summary.progress_percent, 100, summaryLine(summary));
    await new Promise((r) => setTimeout(r, Math.min(1_000, Math.max(0, deadline - Date.now()))));
  }
}

export const TOOLS: readonly ToolDeclaration[] = [
  tool({
    name: 'cluster_status',
    title: 'Cluster status',
    description: 'The cluster now: the coordinator and its term, every member with its state (alive, suspect, dead), capabilities, location and version, and which peers would generate load.',
    input: z.object({}),
    output: z.object({
      node_id: z.string().describe('the peer answering'),
      coordinator: z.string().nullable(),
      term: z.number().nullable(),
      alive_members: z.number().int(),
      generators: z.array(z.string()),
      members: z.array(z.object({ node_id: z.string(), status: z.string(), is_coordinator: z.boolean(), is_self: z.boolean(), capabilities: z.array(z.string()), roles: z.array(z.string()), location: z.string(), version: z.string(), http_url: z.string(), last_seen: z.string() })),
    }),
    annotations: READ_ONLY,
    async run(_args, ctx) {
      const s = await ctx.cluster.status();
      const members = s.nodes.map(({ node_id, status, is_coordinator, is_self, capabilities, roles, location, version, http_url, last_seen }) => ({ node_id, status, is_coordinator, is_self, capabilities, roles, location, version, http_url, last_seen }));
      const generators = ctx.planner.generators(s.nodes);
      return {
        structured: { node_id: s.node_id, coordinator: s.coordinator, term: s.term, alive_members: members.filter((m) => m.status === 'alive').length, generators, members },
        text: `${members.length} member(s), coordinator ${s.coordinator ?? 'none yet'} (term ${s.term ?? '-'}), ${generators.length} generator(s)`,
      };
    },
  }),
  tool({
    name: 'validate_plan',
    title: 'Validate a plan (dry run)',
    description: 'Checks a plan without running it. Invalid: every problem with its path. Valid: how each task would be split across the alive peers, the expected total requests, peak rate and duration, the guardrails it fails, and whether start_test would ask for confirmation.',
    input: z.object({ plan: planInput }),
    output: z.object({
      valid: z.boolean(),
      problems: z.array(ProblemSchema),
      allowed: z.boolean().describe('valid and within every guardrail'),
      refusals: z.array(RefusalSchema),
      confirmation_required: z.boolean(),
      reasons: z.array(z.string()),
      dry_run: DryRunSchema.optional(),
      policy: z.record(z.string(), z.unknown()),
    }),
    annotations: READ_ONLY,
    async run({ plan }, ctx) {
      const policy = ctx.guardrails.describe();
      try {
        const { dry, refusals, reasons } = await assess(ctx, plan);
        const allowed = refusals.length === 0;
        return {
          structured: { valid: true, problems: [], allowed, refusals, confirmation_required: reasons.length > 0, reasons, dry_run: dry, policy },
          text: allowed ? `valid: about ${dry.expected_total_requests ?? 'an unbounded number of'} requests over ${dry.duration_s} s on ${dry.generators.length} peer(s)${reasons.length ? '; start_test will ask for confirmation' : ''}` : `valid but refused: ${refusals.map((r) => r.message).join('; ')}`,
        };
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return { structured: { valid: false, problems: error.problems, allowed: false, refusals: [], confirmation_required: false, reasons: [], policy }, text: error.message };
      }
    },
  }),
  tool({
    name: 'start_test',
    title: 'Start a test',
    description: 'Starts a plan on the cluster and returns its execution_id at once (it never waits for the end: follow it with get_test or wait_for_test). Targets outside the allow-list and plans over a cap are refused with nothing sent. Above the confirmation threshold the user is asked first: through the client when it supports elicitation, otherwise the answer is status confirmation_required with a confirmation_token to pass back once the user agrees.',
    input: z.object({ plan: planInput, confirmation_token: z.string().optional().describe('from an earlier confirmation_required answer, for this same plan') }),
    output: StartOutput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    run: start,
  }),
  tool({
    name: 'get_test',
    title: 'Get a test',
    description: 'Status, progress and the live merged results of an execution: totals, req/s, error rate, latency p50/p90/p95/p99/max (exact across peers), thresholds so far, per target and per node. The per-second series only with timeseries: true.',
    input: z.object({ execution_id: executionId, timeseries: z.boolean().default(false).describe('include the per-second series (large)') }),
    output: TestSummarySchema,
    annotations: READ_ONLY,
    async run({ execution_id, timeseries }, ctx) {
      const summary = summarizeExecution(await ctx.cluster.get(execution_id), { timeseries });
      return { structured: summary, text: summaryLine(summary) };
    },
  }),
  tool({
    name: 'wait_for_test',
    title: 'Wait for a test',
    description: 'Waits until the execution ends or timeout_s passes (default 50 s, under the usual 60 s client timeout), sending progress notifications meanwhile when asked; then answers as get_test, with timed_out true if it is still running (call again).',
    input: z.object({ execution_id: executionId, timeout_s: z.number().min(0).max(300).default(50), timeseries: z.boolean().default(false) }),
    output: TestSummarySchema.extend({ waited_s: z.number(), timed_out: z.boolean() }),
    annotations: READ_ONLY,
    run: waitFor,
  }),
  tool({
    name: 'cancel_test',
    title: 'Cancel a test',
    description: 'Stops an execution on every peer (within about a second); what was measured so far stays in its results.',
    input: z.object({ execution_id: executionId }),
    output: z.object({ execution_id: z.string(), status: z.string() }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    async run({ execution_id }, ctx) {
      const out = await ctx.cluster.cancel(execution_id);
      return { structured: out, text: `${execution_id} ${out.status}` };
    },
  }),
  tool({
    name: 'list_tests',
    title: 'List tests',
    description: 'Executions known to the cluster, newest first, optionally by status.',
    input: z.object({ status: z.enum(EXECUTION_STATUSES).optional(), limit: z.number().int().min(1).max(500).default(20) }),
    output: z.object({ executions: z.array(ExecutionSummarySchema), total: z.number().int() }),
    annotations: READ_ONLY,
    async run({ status, limit }, ctx) {
      const all = (await ctx.cluster.list()).filter((e) => status === undefined || e.status === status).sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
      return { structured: { executions: all.slice(0, limit), total: all.length }, text: all.slice(0, limit).map((e) => `${e.execution_id} ${e.name} ${e.status} ${e.progress_percent}%`).join('\n') || 'no executions' };
    },
  }),
  tool({
    name: 'compare_tests',
    title: 'Compare two tests',
    description: 'Two executions side by side (req/s, latency percentiles, error rate, thresholds), with the regressions of the candidate against the baseline named. A change counts as a regression beyond tolerance (default 10 %).',
    input: z.object({ baseline_id: executionId, candidate_id: executionId, tolerance: z.number().min(0).max(10).default(0.1) }),
    output: ComparisonSchema,
    annotations: READ_ONLY,
    async run({ baseline_id, candidate_id, tolerance }, ctx) {
      const [a, b] = await Promise.all([ctx.cluster.get(baseline_id), ctx.cluster.get(candidate_id)]);
      const comparison = compareTests(summarizeExecution(a), summarizeExecution(b), tolerance);
      return { structured: comparison, text: comparison.regressions.length ? `regressions: ${comparison.regressions.join('; ')}` : 'no regression' };
    },
  }),
  ...testTypeTools(start, StartOutput),
];
