// Finished executions as `adaptive` learns from them: each generator's requests and saturation.
import { parseRunId, type ExecutionDoc } from '../../src/execution/contract.js';
import type { Saturation } from '../../src/health.js';
import { durationOf, loadTaskOf } from '../../src/plan/index.js';
import type { FinishedExecution } from './distributor.js';

export interface FinishedSource {
  listExecutions(statuses?: readonly string[]): { doc: ExecutionDoc }[];
  /** Requests counted per run id of an execution. */
  requestsByRun(executionId: string): Map<string, number>;
}

/** Only the newest are looked at: learning follows the present. */
const NEWEST = 20;

export function finishedExecutions(store: FinishedSource, saturation: (node: string, from: number, to: number) => Saturation): FinishedExecution[] {
  const docs = store
    .listExecutions(['completed'])
    .map((e) => e.doc)
    .filter((d) => d.start_at !== null && d.finished_at !== null)
    .sort((a, b) => b.created_at - a.created_at)
    .slice(0, NEWEST);
  return docs.map((doc) => {
    const sent: Record<string, number> = {};
    for (const [run, requests] of store.requestsByRun(doc.execution_id)) {
      const { node } = parseRunId(run);
      sent[node] = (sent[node] ?? 0) + requests;
    }
    const durationS = Math.max(...doc.plan.tasks.map(durationOf));
    // The asked rate is known for constant open-model tasks; otherwise 0 (unknown: only throughput counts).
    const loads = doc.plan.tasks.map(loadTaskOf);
    const asked = loads.every((t) => t?.model === 'open' && t.pattern === 'constant') ? loads.reduce((s, t) => s + (t?.base_rps ?? 0), 0) : 0;
    const nodes = [...new Set(doc.assignments.filter((a) => a.state === 'done').map((a) => a.node_id))];
    return {
      execution_id: doc.execution_id,
      duration_s: durationS,
      asked_rps: asked,
      shares: nodes.map((node_id) => ({ node_id, requests: sent[node_id] ?? 0, saturated: saturation(node_id, doc.start_at!, doc.finished_at!).saturated })),
    };
  });
}
