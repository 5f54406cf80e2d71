// A `performance_test` task: a load_test's parameters (thresholds included) plus a baseline to compare
// with. It runs, splits and merges like any load; the gate fails on a threshold or on a regression.
import type { Problem } from '../errors.js';
import { baselineSchema, baselineSpec, type BaselineSpec } from './baseline.js';
import { checkLoadTask, type LoadTask } from './load-task.js';
import { issueProblems, joinPath } from './problems.js';

export interface PerformanceTask extends LoadTask {
  baseline: BaselineSpec;
}

export function checkPerformanceTask(params: unknown, prefix = ''): { task?: PerformanceTask; problems: Problem[] } {
  const isObject = params !== null && typeof params === 'object' && !Array.isArray(params);
  const { baseline, ...load } = isObject ? (params as Record<string, unknown>) : { baseline: undefined };
  const loaded = checkLoadTask(isObject ? load : params, prefix);
  const parsed = baselineSchema.optional().safeParse(baseline);
  const problems = [...loaded.problems, ...(parsed.success ? [] : issueProblems(parsed.error, joinPath(prefix, 'baseline')))];
  if (problems.length > 0 || !loaded.task || !parsed.success) return { problems };
  return { task: { ...loaded.task, baseline: baselineSpec(parsed.data) }, problems };
}
