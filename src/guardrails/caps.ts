// The configured caps on what one plan may ask: rate, duration, connections, targets, tasks, requests, bodies.
import { isLoadLike, type LoadTask, type Plan } from '../plan/index.js';
import { settingName, type GuardProblem, type Limits } from './policy.js';

export const CAP_EXCEEDED = 'CAP_EXCEEDED';

function over(path: string, what: string, value: number, limit: number, setting: string, unit = ''): GuardProblem {
  return {
    path,
    code: CAP_EXCEEDED,
    setting: settingName(setting),
    value,
    limit,
    message: `${what} ${value}${unit} is over the cap of ${limit}${unit}; raise ${settingName(setting)} to allow it`,
  };
}

/** The most requests a task can send: its peak rate over its duration (open), or users at 1,000 req/s each at most (closed). */
export function requestBound(task: LoadTask): number {
  if (task.model === 'closed') return Math.ceil(task.concurrent_users * task.duration * Math.min(1_000, 1 / Math.max(task.think_time, 1e-3)));
  if (task.stages) {
    let from = task.base_rps;
    let total = 0;
    for (const stage of task.stages) {
      total += ((from + stage.target) / 2) * stage.duration;
      from = stage.target;
    }
    return Math.ceil(total);
  }
  return Math.ceil(Math.max(task.base_rps, task.peak_rps) * task.duration);
}

function peakRate(task: LoadTask): number {
  return Math.max(task.base_rps, task.peak_rps, ...(task.stages ?? []).map((s) => s.target));
}

/** Caps of one task; paths under `prefix` (e.g. `tasks[0].parameters`). */
export function checkTaskCaps(task: LoadTask, limits: Limits, prefix: string): GuardProblem[] {
  const at = (field: string) => (prefix === '' ? field : `${prefix}.${field}`);
  const problems: GuardProblem[] = [];
  const rate = peakRate(task);
  if (task.model === 'open' && rate > limits.max_rps) {
    const field = task.stages ? 'stages' : task.peak_rps > task.base_rps ? 'peak_rps' : 'base_rps';
    problems.push(over(at(field), 'the rate', rate, limits.max_rps, 'limits.max_rps', ' req/s'));
  }
  if (task.duration > limits.max_duration) problems.push(over(at('duration'), 'the duration', task.duration, limits.max_duration, 'limits.max_duration', ' s'));
  // Past task_timeout a task is ended by force: one that cannot finish before it is refused up front.
  if (task.duration > limits.task_timeout) problems.push(over(at('duration'), 'the duration', task.duration, limits.task_timeout, 'orchestrator.task_timeout', ' s'));
  // In the closed model connections follow concurrent_users unless given: report the users then.
  const derived = task.model === 'closed' && task.connections === task.concurrent_users;
  if (task.connections > limits.max_connections && !derived) problems.push(over(at('connections'), 'connections', task.connections, limits.max_connections, 'limits.max_connections'));
  if (task.concurrent_users > limits.max_connections) {
    problems.push(over(at('concurrent_users'), 'concurrent_users', task.concurrent_users, limits.max_connections, 'limits.max_connections'));
  }
  if (task.model === 'open' && task.max_in_flight > limits.max_connections) {
    problems.push(over(at('max_in_flight'), 'max_in_flight (connections × pipelining unless given)', task.max_in_flight, limits.max_connections, 'limits.max_connections'));
  }
  if (task.targets.length > limits.max_targets_per_task) {
    problems.push(over(at('targets'), 'the number of targets', task.targets.length, limits.max_targets_per_task, 'limits.max_targets_per_task'));
  }
  return problems;
}

/** A task and the path of its parameters in what was posted (`tasks[0].parameters`, `parameters` or ``). */
export interface TaskAt {
  task: LoadTask;
  prefix: string;
}

/** The tasks that send load (a security_test's probes are bounded by its own schema and checked by probeTargetsOf). */
export function tasksOf(plan: Plan): TaskAt[] {
  return plan.tasks.flatMap((t, i) => (isLoadLike(t) ? [{ task: t.parameters, prefix: `tasks[${i}].parameters` }] : []));
}

/** The targets of a plan's security probes, with the path of each. */
export function probeTargetsOf(plan: Plan): Array<{ url: string; path: string }> {
  return plan.tasks.flatMap((t, i) => (t.type === 'security_test' ? [{ url: t.parameters.target, path: `tasks[${i}].parameters.target` }] : []));
}

/** Every cap the tasks of one execution go over, each with its field, value, cap and setting. */
export function checkCaps(tasks: readonly TaskAt[], limits: Limits): GuardProblem[] {
  const problems: GuardProblem[] = [];
  if (tasks.length > limits.max_tasks_per_plan) {
    problems.push(over('tasks', 'the number of tasks', tasks.length, limits.max_tasks_per_plan, 'limits.max_tasks_per_plan'));
  }
  let requests = 0;
  let bodyBytes = 0;
  for (const { task, prefix } of tasks) {
    problems.push(...checkTaskCaps(task, limits, prefix));
    requests += requestBound(task);
    for (const target of task.targets) bodyBytes += target.body === undefined ? 0 : Buffer.byteLength(target.body);
  }
  const whole = tasks.length === 1 ? tasks[0]!.prefix || '(root)' : 'tasks';
  if (requests > limits.max_total_requests) {
    problems.push(over(whole, 'the requests this execution may send (peak rate × duration)', requests, limits.max_total_requests, 'limits.max_total_requests'));
  }
  if (bodyBytes > limits.max_body_bytes) problems.push(over(whole, 'the request bodies', bodyBytes, limits.max_body_bytes, 'limits.max_body_bytes', ' bytes'));
  return problems;
}
