// A workload through POST /api/executions and its read: validated and placed here first (a workload
// that cannot be placed is answered at once with each node's reasons), then run by the coordinator;
// GET shows each scenario's state, nodes and merged results, and the workload's results over all.
import type { ExecutionDoc } from '../../execution/contract.js';
import { reportFor } from '../../execution/view.js';
import { workloadProgress } from '../../execution/workload.js';
import type { DistributionPlan, ScenarioDemand, Strategy } from '../../distribution.js';
import { validateWorkload, workloadPlan } from '../../plan/workload.js';
import type { Plan } from '../../plan/index.js';
import { emptyResults, type LoadResults } from '../../stats/index.js';
import type { ExecutionReads } from '../../execution/ports.js';
import { HttpError } from '../router.js';
import type { ExecutionReport } from '../../report/index.js';

export interface WorkloadSource {
  defaultStrategy: Strategy;
  place(strategy: Strategy, scenarios: ScenarioDemand[]): Promise<DistributionPlan>;
  /** Merged results per task of an execution (a scenario's child). */
  results(doc: ExecutionDoc): LoadResults[];
}

/** Validates the workload (400 with every problem) and places it from this peer's view (409 when it cannot). */
export async function checkWorkload(source: WorkloadSource, body: unknown): Promise<Plan> {
  const workload = validateWorkload(body);
  const strategy = workload.strategy ?? source.defaultStrategy;
  const plan = await source.place(strategy, workload.scenarios.map((s) => s.demand));
  const placements = plan.placements.map((p, i) => ({ ...p, name: workload.scenarios[i]!.name, estimated_duration_s: workload.scenarios[i]!.estimated_duration_s }));
  const refused = placements.filter((p) => !p.ok);
  if (refused.length > 0) {
    const why = refused.map((p) => `${p.scenario_id}: ${'reason' in p ? p.reason : ''}`).join('; ');
    throw new HttpError(409, 'WORKLOAD_UNPLACEABLE', `${refused.length} of ${placements.length} scenario(s) cannot be placed: ${why}`, { strategy, placements });
  }
  return workloadPlan(workload);
}

/** What GET /api/executions/{id} adds for a workload: its mode, strategy and scenarios, and its results over all. */
export function workloadView(doc: ExecutionDoc, reads: ExecutionReads, source: Pick<WorkloadSource, 'results'> | undefined, now: number, fallback: ExecutionReport) {
  const part = doc.workload!;
  const children = part.scenarios.map((s) => (s.execution_id ? reads.view(s.execution_id, now) : undefined));
  const scenarios = part.scenarios.map((s, i) => {
    const child = children[i];
    return {
      scenario_id: s.scenario_id,
      name: s.name,
      state: s.state,
      nodes: s.nodes,
      resources: s.resources,
      estimated_duration_s: s.estimated_duration_s,
      execution_id: s.execution_id ?? null,
      allocation_id: s.allocation_id ?? null,
      start_at: s.start_at === null ? null : new Date(s.start_at).toISOString(),
      finished_at: s.finished_at === null ? null : new Date(s.finished_at).toISOString(),
      reason: s.reason ?? null,
      report: child?.report ?? null,
      generators: child ? child.doc.assignments.map((a) => ({ node_id: a.node_id, state: a.state, total_requests: child.requestsByNode[a.node_id] ?? 0 })) : [],
    };
  });
  // Over all: each scenario's merged results as its task of the workload's plan (exact, never averaged).
  const report = doc.report ?? ((source ? reportFor(doc, children.map((c) => (c ? (source.results(c.doc)[0] ?? emptyResults()) : emptyResults())), now) : fallback));
  return { execution_mode: part.execution_mode, strategy: part.strategy, progress_percent: workloadProgress(part, doc.finished_at ?? now), scenarios, report };
}
