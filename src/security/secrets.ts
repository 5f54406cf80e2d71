// Secrets in plans: `{ value, secret: true }` header values and `secret_body: true` bodies are redacted as
// `***` wherever a plan is stored, replicated or shown; `${env:NAME}` references travel as such and are
// resolved only on the generator that sends the requests.
import { ValidationError, type Problem } from '../errors.js';
import { isLoadLike, type LoadTarget, type LoadTask, type Plan, type PlanTask } from '../plan/index.js';

export const REDACTED = '***';
export const SECRET_UNRESOLVED = 'SECRET_UNRESOLVED';
const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** Deeper than any plan or execution record is allowed to be: what lies below is dropped, never copied. */
const MAX_DEPTH = 64;

/** A deep copy of `value` with every secret replaced by `***`; works on raw plans, validated plans and whole records. */
export function redactSecrets<T>(value: T): T {
  return redact(value, 0) as T;
}

function redact(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redact(v, depth + 1);
  if (out.secret === true && 'value' in out) out.value = REDACTED;
  if (out.secret_body === true && out.body !== undefined) out.body = REDACTED;
  const names = out.secret_headers;
  if (Array.isArray(names) && out.headers !== null && typeof out.headers === 'object') {
    const headers = { ...(out.headers as Record<string, unknown>) };
    for (const name of names) if (typeof name === 'string' && Object.hasOwn(headers, name)) headers[name] = REDACTED;
    out.headers = headers;
  }
  return out;
}

function resolveText(text: string, env: NodeJS.ProcessEnv, path: string, problems: Problem[]): { text: string; used: boolean } {
  let used = false;
  const resolved = text.replace(ENV_REF, (_, name: string) => {
    used = true;
    const value = env[name];
    if (value === undefined) {
      problems.push({ path, message: `\${env:${name}} is not set in this peer's environment` });
      return '';
    }
    return value;
  });
  return { text: resolved, used };
}

function resolveTarget(t: LoadTarget, env: NodeJS.ProcessEnv, at: string, problems: Problem[]): LoadTarget {
  const headers: Record<string, string> = {};
  const secret = new Set(t.secret_headers ?? []);
  for (const [name, value] of Object.entries(t.headers)) {
    const r = resolveText(value, env, `${at}.headers.${name}`, problems);
    if (r.used && /[\r\n\0]/.test(r.text)) problems.push({ path: `${at}.headers.${name}`, message: 'the resolved value contains CR, LF or NUL' });
    if (secret.has(name) && value === REDACTED) problems.push({ path: `${at}.headers.${name}`, message: 'this secret was redacted from a stored copy of the plan; give it as ${env:NAME}' });
    if (r.used) secret.add(name);
    headers[name] = r.text;
  }
  const out: LoadTarget = { ...t, headers, ...(secret.size > 0 ? { secret_headers: [...secret] } : {}) };
  if (t.body !== undefined) {
    if (t.secret_body && t.body === REDACTED) problems.push({ path: `${at}.body`, message: 'this secret was redacted from a stored copy of the plan; give it as ${env:NAME}' });
    const r = resolveText(t.body, env, `${at}.body`, problems);
    out.body = r.text;
    if (r.used) out.secret_body = true;
  }
  return out;
}

/** The task with `${env:NAME}` resolved from `env`; problems name each field whose variable is missing. */
export function resolveTaskSecrets<T extends LoadTask>(task: T, env: NodeJS.ProcessEnv, prefix = ''): { task: T; problems: Problem[] } {
  const problems: Problem[] = [];
  const targets = task.targets.map((t, j) => resolveTarget(t, env, `${prefix === '' ? '' : `${prefix}.`}targets[${j}]`, problems));
  return { task: { ...task, targets }, problems };
}

/** Resolves every task of a plan here, on the generator; throws ValidationError (SECRET_UNRESOLVED) naming the fields. */
export function resolvePlanSecrets(plan: Plan, env: NodeJS.ProcessEnv): Plan {
  const problems: Problem[] = [];
  const tasks = plan.tasks.map((t, i) => {
    if (!isLoadLike(t)) return t; // a scan's headers are sent as written
    const r = resolveTaskSecrets(t.parameters, env, `tasks[${i}].parameters`);
    problems.push(...r.problems);
    return { ...t, parameters: r.task } as PlanTask;
  });
  if (problems.length > 0) throw new ValidationError(SECRET_UNRESOLVED, 'the plan refers to secrets this peer cannot resolve', problems);
  return { ...plan, tasks };
}

export function resolveOneTask(task: LoadTask, env: NodeJS.ProcessEnv, prefix: string): LoadTask {
  const r = resolveTaskSecrets(task, env, prefix);
  if (r.problems.length > 0) throw new ValidationError(SECRET_UNRESOLVED, 'the task refers to secrets this peer cannot resolve', r.problems);
  return r.task;
}
