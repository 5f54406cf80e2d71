// The execution plan `{ name, tasks: [{ type, parameters }] }`, read from JSON or YAML.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ValidationError, type Problem } from '../errors.js';
import { checkLoadTask, type LoadTask } from './load-task.js';
import { checkPerformanceTask, type PerformanceTask } from './performance-task.js';
import { issueProblems, PLAN_INVALID } from './problems.js';
import { checkSecurityTask, type SecurityTask } from './security-task.js';
import { checkStressTask, type StressTask } from './stress-task.js';
import { MAX_DEPTH, quote, tooDeepAt } from '../validation.js';

export interface LoadTestTask {
  type: 'load_test';
  parameters: LoadTask;
}
export interface PerformanceTestTask {
  type: 'performance_test';
  parameters: PerformanceTask;
}
export interface StressTestTask {
  type: 'stress_test';
  parameters: StressTask;
}
export interface SecurityTestTask {
  type: 'security_test';
  parameters: SecurityTask;
}
/** Tasks that send load (and split across peers): their parameters are a LoadTask. */
export type LoadLikeTask = LoadTestTask | PerformanceTestTask | StressTestTask;
export type PlanTask = LoadLikeTask | SecurityTestTask;

export function isLoadLike(task: PlanTask): task is LoadLikeTask {
  return task.type !== 'security_test';
}

/** Seconds a task lasts: a load's duration; a scan's bound (its request budget at its rate). */
export function durationOf(task: PlanTask): number {
  return isLoadLike(task) ? task.parameters.duration : task.parameters.max_requests / task.parameters.rate;
}

/** The load a task sends, or undefined for a task that sends none (security_test). */
export function loadTaskOf(task: PlanTask): LoadTask | undefined {
  return isLoadLike(task) ? task.parameters : undefined;
}

export interface Plan {
  name: string;
  description?: string;
  tasks: PlanTask[];
}

/** Validators by task type; a new task type registers here. */
const TASK_TYPES: Record<string, (parameters: unknown, prefix: string) => { task?: PlanTask; problems: Problem[] }> = {
  load_test(parameters, prefix) {
    const { task, problems } = checkLoadTask(parameters, prefix);
    return task ? { task: { type: 'load_test', parameters: task }, problems } : { problems };
  },
  performance_test(parameters, prefix) {
    const { task, problems } = checkPerformanceTask(parameters, prefix);
    return task ? { task: { type: 'performance_test', parameters: task }, problems } : { problems };
  },
  stress_test(parameters, prefix) {
    const { task, problems } = checkStressTask(parameters, prefix);
    return task ? { task: { type: 'stress_test', parameters: task }, problems } : { problems };
  },
  security_test(parameters, prefix) {
    const { task, problems } = checkSecurityTask(parameters, prefix);
    return task ? { task: { type: 'security_test', parameters: task }, problems } : { problems };
  },
};

/** The tasks list's rule, shared with the JSON Schema (json-schema.ts), which knows each task's shape. */
export const tasksOf = <T extends z.ZodType>(task: T) => z.array(task).min(1, 'needs at least one task').max(1000);

export const planSchema = z.strictObject(
  {
    name: z.string().min(1),
    description: z.string().optional(),
    tasks: tasksOf(z.unknown()),
  },
  { error: 'expected a plan object { name, tasks }' },
);

export const taskSchema = z.strictObject({ type: z.string(), parameters: z.unknown() }, { error: 'expected a task object { type, parameters }' });

/** Validates a parsed plan; throws ValidationError (PLAN_INVALID) listing every problem. */
export function validatePlan(obj: unknown): Plan {
  const deep = tooDeepAt(obj);
  if (deep !== undefined) throw new ValidationError(PLAN_INVALID, 'invalid plan', [{ path: deep, message: `nested deeper than ${MAX_DEPTH} levels` }]);
  const parsed = planSchema.safeParse(obj);
  const problems = parsed.success ? [] : issueProblems(parsed.error, '');
  const rawTasks = Array.isArray((obj as { tasks?: unknown } | null)?.tasks) ? ((obj as { tasks: unknown[] }).tasks) : [];
  const tasks: PlanTask[] = [];
  rawTasks.forEach((raw, i) => {
    const prefix = `tasks[${i}]`;
    const shape = taskSchema.safeParse(raw);
    if (!shape.success) problems.push(...issueProblems(shape.error, prefix));
    const type = (raw as { type?: unknown } | null)?.type;
    if (typeof type !== 'string') return;
    const validator = Object.hasOwn(TASK_TYPES, type) ? TASK_TYPES[type] : undefined;
    if (validator === undefined) {
      problems.push({ path: `${prefix}.type`, message: `unknown task type ${quote(type)} (known: ${Object.keys(TASK_TYPES).join(', ')})` });
      return;
    }
    const result = validator((raw as { parameters?: unknown }).parameters, `${prefix}.parameters`);
    problems.push(...result.problems);
    if (result.task) tasks.push(result.task);
  });
  if (problems.length > 0 || !parsed.success) throw new ValidationError(PLAN_INVALID, 'invalid plan', problems);
  return { name: parsed.data.name, ...(parsed.data.description !== undefined ? { description: parsed.data.description } : {}), tasks };
}

/** Parses JSON or YAML text (guessed when `format` is absent) and validates it. */
export function parsePlan(text: string, format?: 'json' | 'yaml'): Plan {
  const kind = format ?? (/^\s*[{[]/.test(text) ? 'json' : 'yaml');
  let obj: unknown;
  try {
    obj = kind === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new ValidationError(PLAN_INVALID, 'invalid plan', [{ path: '', message: `not valid ${kind.toUpperCase()}: ${message}` }]);
  }
  return validatePlan(obj);
}
