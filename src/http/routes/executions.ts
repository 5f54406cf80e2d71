// The orchestrator API on every peer: POST/GET/DELETE /api/executions. Any peer accepts a plan and hands
// it to the coordinator; reads are answered from this peer's replica of the executions.
import { randomUUID } from 'node:crypto';
import type { Store } from '../../store/store.js';
import { validatePlan, type Plan } from '../../plan/index.js';
import { McpError } from '../../errors.js';
import { HttpError, type Router } from '../router.js';
import { PLAN_REFUSED, TOO_MANY_EXECUTIONS } from '../../guardrails/index.js';
import { redactSecrets } from '../../security/secrets.js';
import { isWorkload } from '../../plan/workload.js';
import type { Saturation } from '../../health.js';
import { withSaturation } from '../../report/saturation.js';
import type { ExecutionDoc } from '../../execution/contract.js';
import type { ExecutionReads, ExecutionResults } from '../../execution/ports.js';
import { checkExecutionTasks, reportWithSections } from './test-types.js';
import { progressPercent } from '../../execution/view.js';
import { checkWorkload, workloadView, type WorkloadSource } from './workload-execution.js';
import { cacheable, ExecutionBodies } from './execution-bodies.js';
import type { ExecutionView } from '../../execution/ports.js';

export interface ExecutionsSource {
  store: Store;
  /** Each execution with its merged report, kept up to date as results arrive (no read merges again); its merged results per task for the test types' sections. */
  reads: ExecutionReads & Pick<ExecutionResults, 'results'>;
  /** Hand a validated plan to the coordinator; resolves with its first version of the execution. */
  submit(executionId: string, plan: unknown): Promise<ExecutionDoc | undefined>;
  cancel(executionId: string): Promise<string>;
  /** Guardrails: throws a ValidationError (caps, targets) or TooManyExecutionsError before anything is sent. */
  admit?(plan: Plan, executionId: string): Promise<void>;
  /** Placing workloads and reading their scenarios' results (absent: workloads are refused). */
  workloads?: WorkloadSource;
  /** How saturated a generator was over a window (from the node monitor's probes). */
  saturation?: (node: string, from: number, to: number) => Saturation;
}

export function summaryOf(doc: ExecutionDoc, now: number) {
  return {
    execution_id: doc.execution_id,
    name: doc.name,
    status: doc.status,
    progress_percent: progressPercent(doc, now),
    created_at: new Date(doc.created_at).toISOString(),
    coordinator: doc.coordinator,
    term: doc.term,
  };
}

/** A guardrail's refusal, local or relayed by the coordinator: 429 over the concurrency cap, 400 otherwise. */
function refusal(error: unknown): unknown {
  const cause = (error as { details?: { cause_code?: unknown } } | null)?.details?.cause_code;
  if (error instanceof McpError && (error.code === TOO_MANY_EXECUTIONS || cause === `PERMANENT_${TOO_MANY_EXECUTIONS}`)) {
    return new HttpError(429, TOO_MANY_EXECUTIONS, error.message, error.code === TOO_MANY_EXECUTIONS ? error.details : null);
  }
  if (cause === `PERMANENT_${PLAN_REFUSED}`) return new HttpError(400, PLAN_REFUSED, (error as Error).message);
  // Placed here, then refused by the coordinator's own view (a node left meanwhile).
  if (cause === 'PERMANENT_WORKLOAD_UNPLACEABLE') return new HttpError(409, 'WORKLOAD_UNPLACEABLE', (error as Error).message);
  return error;
}

function unavailable(error: unknown): HttpError {
  const refused = refusal(error);
  if (refused instanceof HttpError) return refused;
  const code = error instanceof McpError ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'NO_COORDINATOR') return new HttpError(503, code, message);
  if (code === 'EXECUTION_NOT_FOUND') return new HttpError(404, code, message);
  return new HttpError(502, 'COORDINATOR_UNREACHABLE', `the coordinator did not accept the request: ${message}`);
}

export function executionRoutes(router: Router, source: ExecutionsSource): void {
  router.on('POST', '/api/executions', async (req) => ({ status: 201, json: await submitPlan(source, await req.json()) }));

  router.on('GET', '/api/executions', () => {
    const executions = listExecutions(source);
    // Reading the list is what finds damaged rows: they are skipped, and listed apart.
    const damaged = damagedExecutions(source);
    return { json: { executions, ...(damaged.length > 0 ? { damaged } : {}) } };
  });
  const bodies = new ExecutionBodies();
  router.on('GET', '/api/executions/:id', (req) => {
    const now = Date.now();
    const view = viewOf(source, req.params.id!, now);
    if (!cacheable(view)) return { json: renderView(source, view, now) };
    const ifNoneMatch = req.headers['if-none-match'];
    return bodies.answer(view, typeof ifNoneMatch === 'string' ? ifNoneMatch : undefined, () => renderView(source, view, now));
  });

  router.on('DELETE', '/api/executions/:id', async (req) => ({ json: await cancelExecution(source, req.params.id!) }));
}

// The operations themselves, shared by the routes and the in-process MCP client.

/** Validates a plan (every problem at once), applies the guardrails, and hands it to the coordinator. */
export async function submitPlan(source: ExecutionsSource, body: unknown): Promise<{ execution_id: string }> {
  if (isWorkload(body) && !source.workloads) throw new HttpError(501, 'WORKLOAD_NOT_RUNNABLE', 'this peer does not run workloads: submit a plan { name, tasks }');
  // A bad plan (or workload) is answered here, with every problem; a workload that fits nowhere too.
  const plan = isWorkload(body) ? await checkWorkload(source.workloads!, body) : validatePlan(body);
  checkExecutionTasks(plan, source.store);
  const executionId = randomUUID();
  try {
    await source.admit?.(plan, executionId);
  } catch (error) {
    throw refusal(error);
  }
  let doc: ExecutionDoc | undefined;
  try {
    doc = await source.submit(executionId, body);
  } catch (error) {
    throw unavailable(error);
  }
  // Keep the coordinator's first version here too, so this peer answers GET at once.
  if (doc) source.store.putExecution({ execution_id: doc.execution_id, term: doc.term, version: doc.version, status: doc.status, created_at: doc.created_at, doc });
  return { execution_id: executionId };
}

export function listExecutions(source: ExecutionsSource) {
  const now = Date.now();
  return source.store.listExecutions().map((e) => summaryOf(e.doc, now));
}

/** Rows that could not be read: skipped by the list, which still answers and says which. */
export function damagedExecutions(source: ExecutionsSource) {
  return source.store.damaged();
}

export function executionView(source: ExecutionsSource, id: string) {
  const now = Date.now();
  return renderView(source, viewOf(source, id, now), now);
}

function viewOf(source: ExecutionsSource, id: string, now: number): ExecutionView {
  const view = source.reads.view(id, now);
  if (!view) throw new HttpError(404, 'EXECUTION_NOT_FOUND', `no execution ${id}`);
  return view;
}

function renderView(source: ExecutionsSource, view: ExecutionView, now: number) {
  const { doc, report, requestsByNode: sent } = view;
  // An ended execution's report holds each generator's own verdict; a running one is judged from gossiped probes.
  const stored = (report as { saturation?: Saturation[] }).saturation;
  const shares = stored ?? (source.saturation && doc.start_at !== null ? doc.assignments.map((a) => source.saturation!(a.node_id, doc.start_at!, doc.finished_at ?? now)) : []);
  const saturation = new Map(shares.map((s) => [s.node_id, s]));
  const monitor = source.saturation;
  const sectioned = reportWithSections(
    {
      store: source.store,
      resultsOf: (d) => source.reads.results(d),
      ...(monitor ? { saturated: (from: number, to: number) => doc.assignments.some((a) => monitor(a.node_id, from, to).saturated) } : {}),
    },
    doc,
    report,
    now,
  );
  return {
    ...summaryOf(doc, now),
    start_at: doc.start_at === null ? null : new Date(doc.start_at).toISOString(),
    finished_at: doc.finished_at === null ? null : new Date(doc.finished_at).toISOString(),
    error: doc.error ?? null,
    // Reads may come from the coordinator's live copy: its secrets are redacted here too.
    plan: redactSecrets(doc.plan),
    nodes: doc.assignments.map((a) => ({
      node_id: a.node_id,
      state: a.state,
      segment: a.segment,
      reason: a.reason ?? null,
      assign_rtt_ms: a.assign_rtt_ms ?? null,
      total_requests: sent[a.node_id] ?? 0,
      // What its arrivals were, each segment from its time on, and when its share moved to the others.
      ...(a.shares ? { shares: a.shares.map((sh) => ({ at: new Date(sh.at).toISOString(), segment: sh.segment })) } : {}),
      ...(a.moved_at !== undefined ? { moved_at: new Date(a.moved_at).toISOString() } : {}),
      ...(saturation.has(a.node_id) ? { saturated: saturation.get(a.node_id)!.saturated, saturation: saturation.get(a.node_id) } : {}),
    })),
    ...(doc.child_of ? { child_of: doc.child_of } : {}),
    stopped_early: doc.stopped_early ? { at: new Date(doc.stopped_early.at).toISOString(), reason: doc.stopped_early.reason } : null,
    report: withSaturation(sectioned, shares),
    ...(doc.workload ? workloadView(doc, source.reads, source.workloads, now, withSaturation(report, shares)) : {}),
  };
}

export async function cancelExecution(source: ExecutionsSource, id: string): Promise<{ execution_id: string; status: string }> {
  if (!source.store.getExecution(id)) throw new HttpError(404, 'EXECUTION_NOT_FOUND', `no execution ${id}`);
  let status: string;
  try {
    status = await source.cancel(id);
  } catch (error) {
    throw unavailable(error);
  }
  return { execution_id: id, status };
}
