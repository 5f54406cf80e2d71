// What the test types add to an execution's report: a stress test's breaking point and steps, a
// performance test's comparison with its baseline, a security test's findings. One task: at the top
// level; several: under each task. And the gate over all of it.
import type { BaselineComparison, Plan, ThresholdResult } from '../plan/index.js';
import type { SecurityReport } from './security-report.js';
import type { StressReport } from './stress.js';

export interface TaskSections {
  stress?: StressReport;
  baseline?: BaselineComparison & { source: string };
  security?: SecurityReport;
}

export interface SectionedReport {
  thresholds: ThresholdResult[];
  tasks?: Array<{ task: number } & TaskSections>;
  stress?: StressReport;
  baseline?: TaskSections['baseline'];
  security?: SecurityReport;
}

/** The report with each task's sections added (a new object; the input is left alone). */
export function withSections<R extends { thresholds: ThresholdResult[]; tasks?: Array<{ task: number }> }>(report: R, plan: Plan, sections: readonly TaskSections[]): R & SectionedReport {
  if (plan.tasks.length === 1) return { ...report, ...(sections[0] ?? {}) };
  return { ...report, tasks: report.tasks?.map((t) => ({ ...t, ...(sections[t.task] ?? {}) })) };
}

/** Security findings of these severities fail the gate. */
export const GATE_SEVERITIES = ['high', 'medium'] as const;

/** Every reason the gate fails: thresholds, baseline regressions, security findings. Empty: passed. */
export function gateFailures(report: { thresholds: ThresholdResult[] }, sections: readonly TaskSections[]): string[] {
  const out: string[] = [];
  for (const t of report.thresholds) if (!t.passed) out.push(`threshold ${t.target ? `${t.target}: ` : ''}${t.expression} failed (actual ${t.actual ?? 'n/a'})`);
  sections.forEach((s, task) => {
    for (const r of s.baseline?.regressions ?? []) out.push(`task ${task}: ${r}`);
    const serious = (s.security?.findings ?? []).filter((f) => (GATE_SEVERITIES as readonly string[]).includes(f.severity));
    if (serious.length > 0) out.push(`task ${task}: ${serious.length} security finding(s) of severity ${GATE_SEVERITIES.join(' or ')}`);
  });
  return out;
}
