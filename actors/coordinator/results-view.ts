// Folds an execution's stored deltas into merged results per task, and builds its report and progress.
import { emptyResults, mergeDelta, type LoadResults, type ResultsDelta } from '../../src/stats/index.js';
import { executionReport, type ExecutionReport } from '../load-generator/execution-report.js';
import type { ExecutionDoc } from './execution.js';

/** Task index of a run id `${execution}:${task}:${node}`. */
export function taskOfRun(runId: string): number {
  const parts = runId.split(':');
  return Number(parts[parts.length - 2]);
}

export function mergedResults(doc: ExecutionDoc, deltas: Iterable<{ run_id: string; delta: unknown }>): LoadResults[] {
  const results = doc.plan.tasks.map(() => emptyResults());
  for (const { run_id, delta } of deltas) {
    const task = taskOfRun(run_id);
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
  const durationMs = Math.max(...doc.plan.tasks.map((t) => t.parameters.duration)) * 1000;
  const end = doc.finished_at ?? now;
  return Math.round(Math.max(0, Math.min(100, ((end - doc.start_at) / durationMs) * 100)) * 10) / 10;
}
