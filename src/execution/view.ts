// Reading an execution: its merged results per task, its report and its progress.
import { mergeAll, type LoadResults, type ResultsDelta } from '../stats/index.js';
import { executionReport, type ExecutionReport } from '../report/index.js';
import { planAsRun } from '../plan/index.js';
import { maxDurationMs, parseRunId, type ExecutionDoc } from './contract.js';
import { workloadProgress } from './workload.js';
import { accountTask } from './accounting.js';

/** Fold deltas into merged results per task (idempotent per run and seq), all at once (see mergeAll). */
export function mergedResults(doc: ExecutionDoc, deltas: Iterable<{ run_id: string; delta: unknown }>): LoadResults[] {
  const byTask: ResultsDelta[][] = doc.plan.tasks.map(() => []);
  for (const { run_id, delta } of deltas) byTask[parseRunId(run_id).task]?.push(delta as ResultsDelta);
  return byTask.map((d) => mergeAll(d));
}

export function reportFor(doc: ExecutionDoc, results: LoadResults[], now: number): ExecutionReport {
  const startedAt = doc.start_at ?? doc.created_at;
  // A stress test stopped at its breaking point: its rates are per the time it ran, not the planned one.
  const stoppedAt = doc.stopped_early && doc.start_at !== null ? doc.stopped_early.at : undefined;
  const plan = stoppedAt === undefined ? doc.plan : planAsRun(doc.plan, () => Math.max(0, (stoppedAt - startedAt) / 1000));
  return executionReport({
    executionId: doc.execution_id,
    plan,
    status: doc.status,
    startedAt,
    finishedAt: doc.finished_at ?? Math.max(startedAt, now),
    results,
    accounting: results.map((r, task) => accountTask(doc, task, r)),
  });
}

export function progressPercent(doc: ExecutionDoc, now: number): number {
  if (doc.status === 'completed') return 100;
  if (doc.workload) return workloadProgress(doc.workload, doc.finished_at ?? now);
  if (doc.start_at === null) return 0;
  const end = doc.finished_at ?? now;
  return Math.round(Math.max(0, Math.min(100, ((end - doc.start_at) / maxDurationMs(doc.plan)) * 100)) * 10) / 10;
}
