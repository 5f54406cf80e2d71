// Reading an execution: its merged results per task, its report and its progress.
import { emptyResults, mergeDelta, type LoadResults, type ResultsDelta } from '../stats/index.js';
import { executionReport, type ExecutionReport } from '../report/index.js';
import { maxDurationMs, parseRunId, type ExecutionDoc } from './contract.js';

/** Fold deltas into merged results per task (idempotent per run and seq). */
export function mergedResults(doc: ExecutionDoc, deltas: Iterable<{ run_id: string; delta: unknown }>): LoadResults[] {
  const results = doc.plan.tasks.map(() => emptyResults());
  for (const { run_id, delta } of deltas) {
    const { task } = parseRunId(run_id);
    if (results[task]) results[task] = mergeDelta(results[task]!, delta as ResultsDelta);
  }
  return results;
}

export function reportFor(doc: ExecutionDoc, results: LoadResults[], now: number): ExecutionReport {
  const startedAt = doc.start_at ?? doc.created_at;
  return executionReport({
    executionId: doc.execution_id,
    plan: doc.plan,
    status: doc.status,
    startedAt,
    finishedAt: doc.finished_at ?? Math.max(startedAt, now),
    results,
  });
}

export function progressPercent(doc: ExecutionDoc, now: number): number {
  if (doc.status === 'completed') return 100;
  if (doc.start_at === null) return 0;
  const end = doc.finished_at ?? now;
  return Math.round(Math.max(0, Math.min(100, ((end - doc.start_at) / maxDurationMs(doc.plan)) * 100)) * 10) / 10;
}

/** Requests each node sent, from its runs' deltas. */
export function requestsByNode(deltas: Iterable<{ run_id: string; delta: unknown }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { run_id, delta } of deltas) {
    const { node } = parseRunId(run_id);
    out[node] = (out[node] ?? 0) + ((delta as ResultsDelta).totals?.requests ?? 0);
  }
  return out;
}

/** The final report of an ended execution, or the live one merged from what the store holds. */
export function storedReport(store: { deltas(executionId: string): Iterable<{ run_id: string; delta: unknown }> }, doc: ExecutionDoc, now: number): ExecutionReport {
  if (doc.report && (doc.status === 'completed' || doc.status === 'failed')) return doc.report;
  return reportFor(doc, mergedResults(doc, store.deltas(doc.execution_id)), now);
}
