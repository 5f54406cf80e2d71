// The test types in an execution's view (GET /api/executions/{id}, and the MCP tools that read it): each
// stress task's steps judged on the merged results of every generator (with the node monitor's
// saturation flag), each performance task compared with its baseline execution, each security task's
// findings as its scanning generator sent them. Also the check of what an execution refers to.
import { ValidationError, type Problem } from '../../errors.js';
import { parseRunId, type ExecutionDoc } from '../../execution/contract.js';
import type { Plan } from '../../plan/index.js';
import { PLAN_INVALID } from '../../plan/problems.js';
import { parseBaselineReport } from '../../report/baseline-source.js';
import { executionSections } from '../../report/execution-sections.js';
import { gateFailures, withSections, type TaskSections } from '../../report/sections.js';
import type { SecurityReport } from '../../report/security-report.js';
import type { Store } from '../../store/store.js';
import type { LoadResults } from '../../stats/index.js';
import type { ExecutionReport } from '../../report/index.js';

/** Refuses a performance task whose baseline execution this peer does not hold, or that did not complete. */
export function checkExecutionTasks(plan: Plan, store: Pick<Store, 'getExecution'>): void {
  const problems: Problem[] = [];
  plan.tasks.forEach((task, i) => {
    if (task.type !== 'performance_test' || task.parameters.baseline.execution_id === undefined) return;
    const id = task.parameters.baseline.execution_id;
    const path = `tasks[${i}].parameters.baseline.execution_id`;
    const stored = store.getExecution(id)?.doc as ExecutionDoc | undefined;
    if (!stored) problems.push({ path, message: `no execution ${id} on this peer` });
    else if (stored.status !== 'completed') problems.push({ path, message: `execution ${id} is ${stored.status}; a baseline must have completed` });
  });
  if (problems.length > 0) throw new ValidationError(PLAN_INVALID, 'this plan cannot run as an execution', problems);
}

/** The scan reports of an execution's security tasks, by task, from the final deltas stored here. */
function securityReports(store: Pick<Store, 'deltas'>, doc: ExecutionDoc): Map<number, SecurityReport> {
  const out = new Map<number, SecurityReport>();
  for (const d of store.deltas(doc.execution_id)) {
    if (d.delta.security) out.set(parseRunId(d.run_id).task, d.delta.security);
  }
  return out;
}

export interface SectionSources {
  store: Pick<Store, 'getExecution' | 'deltas'>;
  /** Merged results per task. */
  resultsOf(doc: ExecutionDoc): LoadResults[];
  /** Whether any generator of the execution was saturated in [from, to) (epoch ms); absent: no monitor. */
  saturated?: (from: number, to: number) => boolean;
}

/** The report with the test types' sections and the gate's verdict (`gate: { passed, failures }`), when the plan has any test type. */
export function reportWithSections(sources: SectionSources, doc: ExecutionDoc, report: ExecutionReport, now: number): ExecutionReport & { gate?: { passed: boolean; failures: string[] } } {
  if (doc.plan.tasks.every((t) => t.type === 'load_test')) return report;
  const security = doc.plan.tasks.some((t) => t.type === 'security_test') ? securityReports(sources.store, doc) : new Map<number, SecurityReport>();
  const startAt = doc.start_at;
  const saturated = sources.saturated;
  const sections: TaskSections[] = executionSections({
    plan: doc.plan,
    results: sources.resultsOf(doc),
    elapsedS: startAt === null ? null : (Math.min(doc.finished_at ?? now, doc.stopped_early?.at ?? Infinity) - startAt) / 1000,
    final: doc.finished_at !== null,
    baselineOf(id) {
      const earlier = (sources.store.getExecution(id)?.doc as ExecutionDoc | undefined)?.report;
      try {
        return earlier ? parseBaselineReport(earlier, `execution ${id}`) : undefined;
      } catch {
        return undefined;
      }
    },
    summaryOf: (task) => (doc.plan.tasks.length === 1 ? report.summary : report.tasks![task]!.summary),
    ...(saturated && startAt !== null ? { saturated: (fromS: number, toS: number) => saturated(startAt + fromS * 1000, startAt + toS * 1000) } : {}),
    securityOf: (task) => security.get(task),
  });
  const out = withSections(report, doc.plan, sections);
  if (doc.finished_at === null) return out;
  const failures = gateFailures(out, sections);
  return { ...out, gate: { passed: failures.length === 0, failures } };
}
