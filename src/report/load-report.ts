// The report of a run (or of many peers' merged deltas): summary, per target, thresholds, time series.
import { evaluateThresholds, type LoadTask, type ThresholdResult } from '../plan/index.js';
import { summarize, summarizeTarget, timeseries, type LoadResults, type Summary, type TimeseriesPoint } from '../stats/index.js';

export interface TargetReport extends Summary {
  index: number;
  url: string;
  method: string;
  name?: string;
}

export interface LoadReport {
  execution_id: string;
  name: string;
  status: string;
  started_at: string;
  finished_at: string;
  duration_s: number;
  summary: Summary;
  targets: TargetReport[];
  thresholds: ThresholdResult[];
  timeseries: TimeseriesPoint[];
}

export interface BuildReportInput {
  executionId: string;
  name: string;
  status: string;
  startedAt: number | Date;
  finishedAt: number | Date;
  /** The plan's duration in seconds: rates are per this. */
  durationS: number;
  task: Pick<LoadTask, 'targets' | 'thresholds'>;
  results: LoadResults;
}

const iso = (t: number | Date) => new Date(t).toISOString();

export function buildReport(input: BuildReportInput): LoadReport {
  const { results, durationS, task } = input;
  const summary = summarize(results, durationS);
  const targets = task.targets.map((t, index): TargetReport => ({
    index,
    url: t.url,
    method: t.method,
    ...(t.name !== undefined ? { name: t.name } : {}),
    ...summarizeTarget(results, index, durationS),
  }));
  return {
    execution_id: input.executionId,
    name: input.name,
    status: input.status,
    started_at: iso(input.startedAt),
    finished_at: iso(input.finishedAt),
    duration_s: durationS,
    summary,
    targets,
    thresholds: evaluateThresholds(task.thresholds, { summary, targets }),
    timeseries: timeseries(results, durationS),
  };
}

/** What one finished run tells a report (the load engine's RunOutcome has this shape). */
export interface FinishedRun {
  id: string;
  status: string;
  startedAt: number;
  finishedAt: number;
  durationS: number;
  results: LoadResults;
}

/** The report of one local run. */
export function reportOf(outcome: FinishedRun, task: LoadTask, name = 'load_test'): LoadReport {
  return buildReport({
    executionId: outcome.id,
    name,
    status: outcome.status,
    startedAt: outcome.startedAt,
    finishedAt: outcome.finishedAt,
    durationS: outcome.durationS,
    task,
    results: outcome.results,
  });
}

export function thresholdsPassed(report: Pick<LoadReport, 'thresholds'>): boolean {
  return report.thresholds.every((t) => t.passed);
}

const CSV_COLUMNS = ['t', 'requests', 'errors', 'dropped', 'rps', 'p50_ms', 'p99_ms'] as const;

/** The time series as CSV, one line per second, with a header line. */
export function timeseriesCsv(points: readonly TimeseriesPoint[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const p of points) lines.push(CSV_COLUMNS.map((c) => String(p[c])).join(','));
  return `${lines.join('\n')}\n`;
}
