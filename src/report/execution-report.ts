// The report of an execution: one task's report as is; several tasks (run together) merged into one
// summary, with their targets, thresholds and reports listed.
import { loadTaskOf, type Plan } from '../plan/index.js';
import { addCounters, addEncodedHistograms, emptyResults, summarize, timeseries, type LoadResults } from '../stats/index.js';
import { buildReport, type LoadReport } from './load-report.js';
import { combineAccounting, type Accounting, type RunAccount } from './accounting.js';

export interface ExecutionReport extends LoadReport {
  tasks?: (LoadReport & { task: number })[];
  /** Present when requests are unaccounted for: which runs, how many, why. */
  unaccounted?: { note: string; runs: RunAccount[] };
}

export interface ExecutionReportInput {
  executionId: string;
  plan: Plan;
  status: string;
  startedAt: number;
  finishedAt: number;
  /** Merged results per task, in plan order. */
  results: LoadResults[];
  /** Per task, in plan order: what was scheduled and what is unaccounted for (absent: as reported). */
  accounting?: Accounting[];
}

/** The summary with the accounting's figures, and the note a report with unaccounted requests carries. */
function accounted<R extends LoadReport>(report: R, accounting: Accounting | undefined): R & Pick<ExecutionReport, 'unaccounted'> {
  if (!accounting) return report;
  const dropped = report.summary.dropped_requests + accounting.late;
  const summary = { ...report.summary, dropped_requests: dropped, scheduled_requests: accounting.scheduled, unaccounted_requests: accounting.unaccounted, unaccounted_max: accounting.unaccounted_max };
  if (accounting.unaccounted === 0) return { ...report, summary };
  const nodes = [...new Set(accounting.runs.map((r) => r.node))].join(', ');
  const note = `${accounting.unaccounted} of ${accounting.scheduled} scheduled requests are unaccounted for (generators ${nodes} stopped reporting); up to ${accounting.unaccounted_max} of them may have reached the target`;
  return { ...report, summary, unaccounted: { note, runs: accounting.runs } };
}

/** Every task's totals, histograms and seconds added together (targets stay per task). */
function combine(parts: readonly LoadResults[]): LoadResults {
  const out = emptyResults();
  for (const part of parts) {
    out.totals = addCounters(out.totals, part.totals);
    if (part.latency.totalCount > 0) out.latency.add(part.latency);
    if (part.service.totalCount > 0) out.service.add(part.service);
    if (part.lateness !== undefined && part.lateness.totalCount > 0) out.lateness?.add(part.lateness);
  }
  // Seconds are only meaningful across tasks that started together, which they do.
  const seconds: LoadResults['seconds'] = {};
  for (const part of parts) {
    for (const [t, s] of Object.entries(part.seconds)) {
      const old = seconds[Number(t)];
      seconds[Number(t)] = old ? { ...old, requests: old.requests + s.requests, errors: old.errors + s.errors, dropped: old.dropped + s.dropped, latency: addEncodedHistograms(old.latency, s.latency) } : s;
    }
  }
  out.seconds = seconds;
  return out;
}

/** A task that sends no load (security_test) has an empty load part. */
const NO_LOAD = { targets: [], thresholds: [], duration: 0 };

export function executionReport(input: ExecutionReportInput): ExecutionReport {
  const { plan } = input;
  const loads = plan.tasks.map((task) => loadTaskOf(task) ?? NO_LOAD);
  const reports = loads.map((load, i) =>
    buildReport({
      executionId: input.executionId,
      name: plan.name,
      status: input.status,
      startedAt: input.startedAt,
      finishedAt: input.finishedAt,
      durationS: load.duration,
      task: load,
      results: input.results[i] ?? emptyResults(),
    }),
  );
  const parts = input.accounting;
  if (reports.length === 1) return accounted(reports[0]!, parts?.[0]);
  const durationS = Math.max(...loads.map((l) => l.duration));
  const merged = combine(input.results);
  return accounted({
    ...reports[0]!,
    duration_s: durationS,
    summary: summarize(merged, durationS),
    targets: reports.flatMap((r, task) => r.targets.map((t) => ({ ...t, task }))),
    thresholds: reports.flatMap((r, task) => r.thresholds.map((t) => ({ ...t, task }))),
    timeseries: timeseries(merged, durationS),
    tasks: reports.map((r, task) => ({ ...accounted(r, parts?.[task]), task })),
  }, parts ? combineAccounting(parts) : undefined);
}
