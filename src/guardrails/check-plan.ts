// The guardrails in one call: `checkPlan(plan, policy)` lists every refusal (caps and targets); `guardPlan`
// resolves host names first and throws a coded ValidationError, so nothing is sent to a refused target.
import { ValidationError } from '../errors.js';
import type { LoadTask, Plan } from '../plan/index.js';
import { checkCaps, probeTargetsOf, tasksOf, type TaskAt } from './caps.js';
import type { GuardPolicy, GuardProblem } from './policy.js';
import { checkTargetUrl, resolveHosts, type Resolved } from './targets.js';

export const PLAN_REFUSED = 'PLAN_REFUSED';

export class PlanRefusedError extends ValidationError {
  override name = 'PlanRefusedError';
  declare readonly problems: GuardProblem[];
  constructor(problems: GuardProblem[]) {
    super(PLAN_REFUSED, 'the plan is refused by this peer\'s guardrails', problems);
  }
}

/** Every refusal of these tasks (one execution), each naming the field, the value, the cap and the setting. */
export function checkTasks(tasks: readonly TaskAt[], policy: GuardPolicy, resolved?: Resolved): GuardProblem[] {
  const problems = checkCaps(tasks, policy.limits);
  for (const { task, prefix } of tasks) {
    task.targets.forEach((target, j) => {
      const path = `${prefix === '' ? '' : `${prefix}.`}targets[${j}].url`;
      const problem = checkTargetUrl(target.url, path, policy, resolved);
      if (problem) problems.push(problem);
    });
  }
  return problems;
}

export function checkPlan(plan: Plan, policy: GuardPolicy, resolved?: Resolved): GuardProblem[] {
  const problems = checkTasks(tasksOf(plan), policy, resolved);
  // A security_test's target passes the same allow-list (its probes stay on that origin: probe-ports.ts checks each).
  for (const { url, path } of probeTargetsOf(plan)) {
    const problem = checkTargetUrl(url, path, policy, resolved);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** Every URL of a plan to resolve before checking it: load targets and probe targets. */
export function planUrls(plan: Plan): string[] {
  return [...tasksOf(plan).flatMap((t) => t.task.targets.map((x) => x.url)), ...probeTargetsOf(plan).map((p) => p.url)];
}

/** Resolves the targets' host names, checks, and throws PlanRefusedError listing every refusal. */
export async function guardTasks(tasks: readonly TaskAt[], policy: GuardPolicy): Promise<void> {
  const resolved = await resolveHosts(tasks.flatMap((t) => t.task.targets.map((x) => x.url)));
  const problems = checkTasks(tasks, policy, resolved);
  if (problems.length > 0) throw new PlanRefusedError(problems);
}

export async function guardPlan(plan: Plan, policy: GuardPolicy): Promise<void> {
  const problems = checkPlan(plan, policy, await resolveHosts(planUrls(plan)));
  if (problems.length > 0) throw new PlanRefusedError(problems);
}

export function guardTask(task: LoadTask, policy: GuardPolicy, prefix = ''): Promise<void> {
  return guardTasks([{ task, prefix }], policy);
}
