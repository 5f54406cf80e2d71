// A `stress_test` task: the arrival rate climbs in steps (start_rps, + step_rps every step_duration, up
// to max_rps) until a step breaks the service-level objective, then the load stops. It runs as a load
// whose schedule is that staircase, so it splits across peers like any rate.
//
//   targets, connections, pipelining, max_in_flight, max_lateness   as in load_test
//   start_rps, step_rps, max_rps      req/s (max_rps >= start_rps)
//   step_duration                     whole seconds (>= 1): steps are judged on the per-second results
//   slo: ["p99 < 500ms", "error_rate < 1%"]   threshold expressions over one step
import { z } from 'zod';
import type { Problem } from '../errors.js';
import { durationSchema } from './duration.js';
import { checkLoadTask, type LoadTask } from './load-task.js';
import { LIMITS } from './load-task-schema.js';
import { issueProblems, joinPath } from './problems.js';
import { thresholdProblem } from './thresholds.js';

/** Steps at most: a staircase is two stages per step. */
export const MAX_STEPS = LIMITS.stages / 2;

export interface StressStep {
  index: number;
  rps: number;
  /** Seconds since the run's start, [from, to). */
  from: number;
  to: number;
}

export interface StressSpec {
  start_rps: number;
  step_rps: number;
  step_duration: number;
  max_rps: number;
  slo: string[];
  steps: StressStep[];
}

export interface StressTask extends LoadTask {
  stress: StressSpec;
}

const rate = z.number().positive().max(LIMITS.rps);
const slo = z.string().superRefine((text, ctx) => {
  const problem = thresholdProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

export const stressShape = {
  start_rps: rate,
  step_rps: rate,
  max_rps: rate,
  step_duration: durationSchema({ min: 1, max: 3600 }).refine((s) => Number.isInteger(s), 'must be whole seconds (steps are judged on per-second results)'),
  slo: z.array(slo).min(1, 'needs at least one objective, e.g. "p99 < 500ms"'),
};
const stressSchema = z.object(stressShape);
/** The load fields a stress test takes as they are (its rate is the staircase). */
export const LOAD_FIELDS = ['targets', 'connections', 'pipelining', 'max_in_flight', 'max_lateness'] as const;

/** The staircase: start_rps, start_rps + step_rps, ... up to max_rps (the last step at max_rps at most). */
export function stressSteps(start: number, step: number, max: number, duration: number): StressStep[] {
  const steps: StressStep[] = [];
  for (let i = 0; i < MAX_STEPS; i++) {
    const rps = Math.round((start + i * step) * 1e6) / 1e6;
    if (rps > max + 1e-9) break;
    steps.push({ index: i, rps, from: i * duration, to: (i + 1) * duration });
  }
  return steps;
}

export function checkStressTask(params: unknown, prefix = ''): { task?: StressTask; problems: Problem[] } {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return { problems: [{ path: prefix, message: 'expected an object of stress_test parameters' }] };
  const raw = params as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const key of Object.keys(raw)) {
    if (!(key in stressShape) && !(LOAD_FIELDS as readonly string[]).includes(key)) problems.push({ path: joinPath(prefix, key), message: 'unknown field' });
  }
  const parsed = stressSchema.safeParse(Object.fromEntries(Object.keys(stressShape).map((k) => [k, raw[k]])));
  if (!parsed.success) problems.push(...issueProblems(parsed.error, prefix));
  const s = parsed.success ? parsed.data : undefined;
  // Each field on its own: a bad step_rps does not hide a max_rps under start_rps.
  const start = rate.safeParse(raw.start_rps);
  const max = rate.safeParse(raw.max_rps);
  if (start.success && max.success && max.data < start.data) problems.push({ path: joinPath(prefix, 'max_rps'), message: `must be at least start_rps (${start.data})` });
  const steps = s ? stressSteps(s.start_rps, s.step_rps, s.max_rps, s.step_duration) : [];
  if (s && Math.floor((s.max_rps - s.start_rps) / s.step_rps) + 1 > MAX_STEPS) problems.push({ path: joinPath(prefix, 'step_rps'), message: `makes more than ${MAX_STEPS} steps; take larger steps` });
  // The load itself: the staircase as stages, validated like any load (targets' paths stay the same).
  const load: Record<string, unknown> = Object.fromEntries(LOAD_FIELDS.filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]]));
  load.stages = steps.length > 0 ? steps.flatMap((st) => [{ duration: 0, target: st.rps }, { duration: s!.step_duration, target: st.rps }]) : [{ duration: 1, target: 1 }];
  const loaded = checkLoadTask(load, prefix);
  problems.push(...loaded.problems);
  if (problems.length > 0 || !loaded.task || !s) return { problems };
  return { task: { ...loaded.task, stress: { ...s, steps } }, problems };
}

/**
 * The plan with each stress test's duration as run: a stress test ends when its objective breaks, and its
 * rates are per the time it ran. `ranS(i)`: how long task i ran, in seconds.
 */
export function planAsRun<P extends { tasks: readonly { type: string; parameters: unknown }[] }>(plan: P, ranS: (task: number) => number): P {
  return {
    ...plan,
    tasks: plan.tasks.map((t, i) => (t.type === 'stress_test' ? { ...t, parameters: { ...(t.parameters as object), duration: ranS(i) } } : t)),
  };
}
