// The test types' sections of a distributed execution's report, from its merged results: each stress
// task's steps judged on the merged per-second histograms of every peer, and each performance task
// compared with the report of its baseline execution.
import type { Plan, StressTask } from '../plan/index.js';
import type { LoadResults } from '../stats/index.js';
import { baselineFiguresFor, baselineSection, type BaselineReport } from './baseline-source.js';
import type { SecurityReport } from './security-report.js';
import type { TaskSections } from './sections.js';
import { initialJudge, judgeStress, stressReport, type JudgeTiming } from './stress.js';

/** Deltas reach the coordinator about once a second: a step is judged once the merged arrivals are in, or when no request of it can still be running. */
export function clusterJudgeTiming(task: StressTask): JudgeTiming {
  const timeoutS = Math.max(...task.targets.map((t) => t.timeout));
  return { settleS: 0.1, deadlineS: timeoutS + task.max_lateness + 2 };
}

export interface SectionsInput {
  plan: Plan;
  /** Merged results per task, in plan order. */
  results: readonly LoadResults[];
  /** Seconds since the agreed start (null: not started). */
  elapsedS: number | null;
  /** The execution has ended: every step that started is judged now. */
  final: boolean;
  /** The report of an earlier execution, when this peer holds it. */
  baselineOf(executionId: string): BaselineReport | undefined;
  /** Each task's summary in this execution's report. */
  summaryOf(task: number): Parameters<typeof baselineSection>[1];
  /** Whether any generator was saturated in [fromS, toS) seconds since the start (the node monitor's flag); absent: no monitor. */
  saturated?(fromS: number, toS: number): boolean;
  /** The report a security_test's scanning generator sent in its final delta, once it has. */
  securityOf?(task: number): SecurityReport | undefined;
}

/** The judge's verdict on one stress task from merged results (and saturation, when known), replayed from the start. */
export function judgeStressTask(task: StressTask, results: LoadResults, elapsedS: number, final: boolean, saturated?: SectionsInput['saturated']) {
  const timing = clusterJudgeTiming(task);
  let state = initialJudge();
  if (saturated) {
    for (const step of task.stress.steps) {
      if (step.from >= elapsedS) break;
      state = judgeStress(task.stress, timing, state, { type: 'saturation', second: step.from, saturated: saturated(step.from, step.to) }).state;
    }
  }
  return judgeStress(task.stress, timing, state, { type: 'observe', elapsedS, results, final });
}

export function executionSections(input: SectionsInput): TaskSections[] {
  return input.plan.tasks.map((task, i): TaskSections => {
    if (task.type === 'stress_test' && input.elapsedS !== null) {
      return { stress: stressReport(judgeStressTask(task.parameters, input.results[i]!, input.elapsedS, input.final, input.saturated).state) };
    }
    if (task.type === 'security_test') {
      const security = input.securityOf?.(i);
      return security ? { security } : {};
    }
    if (task.type === 'performance_test' && task.parameters.baseline.execution_id !== undefined) {
      const id = task.parameters.baseline.execution_id;
      const baseline = input.baselineOf(id);
      if (!baseline) return {};
      return { baseline: baselineSection(task.parameters, input.summaryOf(i), baselineFiguresFor(baseline, i), `execution ${id}`) };
    }
    return {};
  });
}

/**
 * Why the coordinator should stop an execution's load now: a stress task broke its objective and every
 * stress task has its verdict. Only for plans whose load is all stress tasks (another task's load must
 * run its course). Undefined: go on.
 */
export function stressStopReason(plan: Plan, results: readonly LoadResults[], elapsedS: number, saturated?: SectionsInput['saturated']): string | undefined {
  const tasks = plan.tasks.map((task, i) => ({ task, i })).filter(({ task }) => task.type !== 'security_test');
  if (tasks.length === 0 || tasks.some(({ task }) => task.type !== 'stress_test')) return undefined;
  const verdicts = tasks.map(({ task, i }) => judgeStressTask((task as { parameters: StressTask }).parameters, results[i]!, elapsedS, false, saturated));
  if (verdicts.some((v) => v.state.status === 'running') || verdicts.every((v) => v.state.status !== 'broken')) return undefined;
  return verdicts.flatMap((v) => v.effects.filter((e) => e.type === 'stop').map((e) => e.reason)).join('; ') || 'a stress step broke its objective';
}
