// Where a performance test's baseline comes from: an earlier report (the CLI's --baseline FILE, or a
// stored execution's report through the API), and the comparison of one task of a report with it.
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { compareWithBaseline, LATENCY_METRICS, type BaselineFigures, type PerformanceTask } from '../plan/index.js';
import type { TaskSections } from './sections.js';

const latency = z.object(Object.fromEntries(LATENCY_METRICS.map((m) => [m, z.number()])) as Record<(typeof LATENCY_METRICS)[number], z.ZodNumber>).passthrough();
const figures = z.object({ requests_per_second: z.number(), error_rate: z.number(), latency_ms: latency }).passthrough();
/** The parts of a report a baseline needs: its summary, and each task's when it had several. */
export const BaselineReportSchema = z
  .object({
    summary: figures,
    tasks: z.array(z.object({ task: z.number().int(), summary: figures }).passthrough()).optional(),
  })
  .passthrough();
export type BaselineReport = z.infer<typeof BaselineReportSchema>;

export const BASELINE_INVALID = 'BASELINE_INVALID';

/** Parses a report used as a baseline; throws ValidationError naming what is missing. */
export function parseBaselineReport(value: unknown, source: string): BaselineReport {
  const parsed = BaselineReportSchema.safeParse(value);
  if (!parsed.success) {
    throw new ValidationError(
      BASELINE_INVALID,
      `${source} is not a report to compare with`,
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

/** The baseline's figures for task `index`: its own when the baseline had tasks, else the whole summary. */
export function baselineFiguresFor(report: BaselineReport, index: number): BaselineFigures {
  return (report.tasks?.find((t) => t.task === index)?.summary ?? report.summary) as BaselineFigures;
}

/** The baseline section of a performance task's report. */
export function baselineSection(task: PerformanceTask, current: BaselineFigures, baseline: BaselineFigures, source: string): NonNullable<TaskSections['baseline']> {
  return { source, ...compareWithBaseline(current, baseline, task.baseline.tolerances) };
}
