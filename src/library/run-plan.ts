// Run a plan on this process alone (no peers, no libp2p): the engine behind `node peer.js run`.
import { randomUUID } from 'node:crypto';
import { durationOf, planAsRun, validatePlan, type Plan } from '../plan/index.js';
import type { LoadResults } from '../stats/index.js';
import { policyFromConfig } from '../guardrails/index.js';
import { probePorts } from '../guardrails/probe-ports.js';
import { ConfigSchema } from '../config/schema.js';
import { systemClock } from '../util/clock.js';
import { gateFailures, withSections } from '../report/sections.js';
import { startLocalTask } from '../cli/local-tasks.js';
import type { PlanInput } from './plan-input.js';
import { executionReport, type ExecutionReport } from '../report/index.js';

/** One progress sample, about once a second while the plan runs. */
export interface RunProgress {
  /** Seconds since the agreed start. */
  elapsedS: number;
  /** The longest task's duration, seconds. */
  durationS: number;
  /** Every task's results so far (one entry per task). */
  results: LoadResults[];
}

export interface RunPlanOptions {
  /** Called about once a second with the results so far. */
  onProgress?: (progress: RunProgress) => void;
  /** Aborting stops every task; the report then has status `cancelled`. */
  signal?: AbortSignal;
  /** Execution id in the report (a random UUID by default). */
  executionId?: string;
}

export interface RunPlanResult {
  report: ExecutionReport;
  /** Every threshold of every task held. */
  passed: boolean;
  /** Each task's raw results (HDR histograms, counters), in plan order. */
  results: LoadResults[];
  /** The error of a task that failed, if one did. */
  error?: unknown;
}

/**
 * Runs a plan in this process against its targets and resolves with the merged report.
 * The plan is validated first (a `ValidationError` with every problem when it is invalid).
 */
export function runPlan(plan: PlanInput, options: RunPlanOptions = {}): Promise<RunPlanResult> {
  return runValidPlan(validatePlan(plan), options);
}

/** `runPlan` for a plan that `validatePlan` already returned. */
export async function runValidPlan(valid: Plan, options: RunPlanOptions = {}): Promise<RunPlanResult> {
  const executionId = options.executionId ?? randomUUID();
  const startAt = Date.now() + 50;
  const durationS = Math.max(...valid.tasks.map(durationOf));
  // A security_test's probes stay on its target's origin (any target allowed here: the caller chose it).
  const probe = probePorts(systemClock, policyFromConfig(ConfigSchema.parse({}), { whenUnset: 'any' }).policy);
  const runs = valid.tasks.map((task, i) => startLocalTask(task, { startAt, runId: `${executionId}:${i}`, probe }));
  const stopAll = () => runs.forEach((r) => r.stop());
  if (options.signal?.aborted) stopAll();
  options.signal?.addEventListener('abort', stopAll, { once: true });
  const onProgress = options.onProgress;
  const timer = onProgress
    ? setInterval(() => onProgress({ elapsedS: Math.max(0, (Date.now() - startAt) / 1000), durationS, results: runs.map((r) => r.snapshot()) }), 1_000)
    : undefined;
  try {
    const outcomes = await Promise.all(runs.map((r) => r.done));
    const failed = outcomes.find((o) => o.status === 'failed');
    const stopped = outcomes.some((o) => o.status === 'stopped');
    const base = executionReport({
      executionId,
      plan: planAsRun(valid, (i) => outcomes[i]!.durationS),
      status: failed ? 'failed' : stopped ? 'cancelled' : 'completed',
      startedAt: Math.min(...outcomes.map((o) => o.startedAt)),
      finishedAt: Math.max(...outcomes.map((o) => o.finishedAt)),
      results: outcomes.map((o) => o.results),
    });
    const sections = outcomes.map((o) => o.sections);
    const report = withSections(base, valid, sections);
    return { report, results: outcomes.map((o) => o.results), passed: !failed && !stopped && gateFailures(report, sections).length === 0, ...(failed ? { error: failed.error } : {}) };
  } finally {
    if (timer) clearInterval(timer);
    options.signal?.removeEventListener('abort', stopAll);
  }
}
