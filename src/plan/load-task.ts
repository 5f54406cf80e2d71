// A `load_test` task: validation that lists every problem, then a normalised, engine-ready LoadTask.
//
// Model: open (arrival rate) whenever a rate is given (base_rps, peak_rps or stages); closed
// (`concurrent_users` looping) when only concurrent_users is given. In the open model concurrent_users
// only sets the default of max_in_flight and connections.
import type { z } from 'zod';
import { ValidationError, type Problem } from '../errors.js';
import { LIMITS, loadTaskSchema, loadTaskShape, type HttpMethod, type Pattern, type RawLoadTask } from './load-task-schema.js';
import { issueProblems, joinPath, PLAN_INVALID } from './problems.js';
import { MAX_DEPTH, quote, tooDeepAt } from '../validation.js';
import { resolveThresholdTarget, type ThresholdSpec } from './thresholds.js';

export interface LoadTarget {
  url: string;
  name?: string;
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
  weight: number;
  /** Seconds; applies to waiting for the headers and to each gap between body chunks. */
  timeout: number;
  /** Statuses that count as success; absent: 200-399. */
  expected_status?: number[];
  /** Names of headers whose values are secret (redacted wherever the plan is stored or shown). */
  secret_headers?: string[];
  secret_body?: boolean;
}

export interface Stage {
  duration: number;
  target: number;
}

export interface LoadTask {
  model: 'open' | 'closed';
  targets: LoadTarget[];
  /** Seconds (the stages' total when stages are given). */
  duration: number;
  pattern: Pattern;
  base_rps: number;
  peak_rps: number;
  stages?: Stage[];
  seed: number;
  concurrent_users: number;
  connections: number;
  pipelining: number;
  think_time: number;
  max_in_flight: number;
  max_lateness: number;
  /** Every threshold; per-target ones carry the target's index. */
  thresholds: ThresholdSpec[];
}

export const DEFAULTS = {
  timeoutS: 10,
  openConnections: 50,
  maxLatenessS: 1,
  seed: 1,
} as const;

type Shape = typeof loadTaskShape;

/** The value of one field when that field alone is valid, else undefined: lets cross-field rules run despite other errors. */
function field<K extends keyof Shape>(raw: Record<string, unknown>, key: K): z.output<Shape[K]> | undefined {
  const result = loadTaskShape[key].safeParse(raw[key]);
  return result.success ? (result.data as z.output<Shape[K]>) : undefined;
}

function crossFieldProblems(raw: Record<string, unknown>, prefix: string): Problem[] {
  const problems: Problem[] = [];
  const at = (path: string, message: string) => problems.push({ path: joinPath(prefix, path), message });
  const base = field(raw, 'base_rps');
  const peak = field(raw, 'peak_rps');
  const stages = field(raw, 'stages');
  const pattern = field(raw, 'pattern');
  const duration = field(raw, 'duration');
  // Presence, not validity: a bad base_rps is its own problem, not also a missing rate.
  const hasRate = raw.base_rps !== undefined || raw.peak_rps !== undefined || raw.stages !== undefined;
  const users = raw.concurrent_users;

  if (!hasRate && users === undefined) {
    at('', 'give a rate (base_rps, peak_rps or stages) for an open model, or concurrent_users for a closed model');
  }
  if (pattern !== undefined && !hasRate) at('pattern', 'a pattern needs a rate: base_rps, peak_rps or stages');
  if (pattern === 'stages' && raw.stages === undefined) at('stages', 'pattern "stages" needs a stages list');
  if (raw.stages !== undefined && pattern !== undefined && pattern !== 'stages') {
    at('pattern', `stages are given, so pattern must be "stages" or left out (got ${quote(pattern)})`);
  }
  const shaped = pattern !== undefined && pattern !== 'constant' && pattern !== 'stages';
  if (shaped && raw.peak_rps === undefined) at('peak_rps', `pattern ${quote(pattern)} needs peak_rps`);
  if (shaped && base !== undefined && peak !== undefined && peak < base) at('peak_rps', `must be at least base_rps (${base})`);

  if (raw.duration === undefined && raw.stages === undefined) at('duration', 'required (or give stages)');
  if (stages !== undefined) {
    const total = stages.reduce((sum, s) => sum + s.duration, 0);
    if (total <= 0) at('stages', 'the stages must last longer than 0 s in total');
    if (total > LIMITS.durationS) at('stages', `the stages last ${total} s, more than ${LIMITS.durationS} s`);
    if (duration !== undefined && Math.abs(duration - total) > 1e-9) {
      at('duration', `must equal the stages' total (${total} s) or be left out`);
    }
  }
  if (hasRate && raw.think_time !== undefined) at('think_time', 'applies to the closed model only (concurrent_users without a rate)');
  if (!hasRate && users !== undefined) {
    if (raw.max_in_flight !== undefined) at('max_in_flight', 'applies to the open model only (give a rate)');
    if (raw.max_lateness !== undefined) at('max_lateness', 'applies to the open model only (give a rate)');
  }
  problems.push(...thresholdTargetProblems(raw, prefix));
  return problems;
}

function thresholdTargetProblems(raw: Record<string, unknown>, prefix: string): Problem[] {
  const targets = Array.isArray(raw.targets) ? (raw.targets as unknown[]) : [];
  const refs = targets.map((t) => {
    const o = (t ?? {}) as Record<string, unknown>;
    return { url: typeof o.url === 'string' ? o.url : '', ...(typeof o.name === 'string' ? { name: o.name } : {}) };
  });
  const problems: Problem[] = [];
  const list = Array.isArray(raw.thresholds) ? (raw.thresholds as unknown[]) : [];
  list.forEach((entry, i) => {
    const ref = (entry as { target?: unknown } | null)?.target;
    if (typeof ref !== 'string' && typeof ref !== 'number') return;
    const index = resolveThresholdTarget(ref, refs);
    const path = joinPath(prefix, `thresholds[${i}].target`);
    if (index < 0) problems.push({ path, message: `no target has the name, url or index ${quote(ref)}` });
    else if (typeof ref === 'string' && refs.every((t) => t.name !== ref) && refs.filter((t) => t.url === ref).length > 1) {
      problems.push({ path, message: `several targets have the url ${quote(ref)}: give them names and use the name` });
    }
  });
  return problems;
}

function normaliseBody(body: RawLoadTask['targets'][number]['body'], headers: Record<string, string>): string | undefined {
  if (body === undefined || typeof body === 'string') return body;
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  return JSON.stringify(body);
}

function normalise(raw: RawLoadTask): LoadTask {
  const hasRate = raw.base_rps !== undefined || raw.peak_rps !== undefined || raw.stages !== undefined;
  const pattern: Pattern = raw.pattern ?? (raw.stages ? 'stages' : 'constant');
  const duration = raw.stages ? raw.stages.reduce((sum, s) => sum + s.duration, 0) : raw.duration!;
  const pipelining = raw.pipelining ?? 1;
  const users = raw.concurrent_users ?? 0;
  const connections = raw.connections ?? (users > 0 ? users : DEFAULTS.openConnections);
  const thresholds: ThresholdSpec[] = [];
  const targets = raw.targets.map((t, index): LoadTarget => {
    const headers: Record<string, string> = {};
    const secretHeaders: string[] = [];
    for (const [k, v] of Object.entries(t.headers ?? {})) {
      if (typeof v === 'object') {
        headers[k] = String(v.value);
        if (v.secret) secretHeaders.push(k);
      } else headers[k] = String(v);
    }
    const body = normaliseBody(t.body, headers);
    for (const expression of t.thresholds ?? []) thresholds.push({ expression, target: index });
    return {
      url: t.url,
      ...(t.name !== undefined ? { name: t.name } : {}),
      method: t.method ?? (body !== undefined ? 'POST' : 'GET'),
      headers,
      ...(body !== undefined ? { body } : {}),
      weight: t.weight ?? 1,
      timeout: t.timeout ?? DEFAULTS.timeoutS,
      ...(t.expected_status !== undefined ? { expected_status: [t.expected_status].flat() } : {}),
      ...(secretHeaders.length > 0 ? { secret_headers: secretHeaders } : {}),
      ...(t.secret_body ? { secret_body: true } : {}),
    };
  });
  for (const entry of raw.thresholds ?? []) {
    if (typeof entry === 'string') thresholds.push({ expression: entry });
    else if (entry.target === undefined) thresholds.push({ expression: entry.expression });
    else thresholds.push({ expression: entry.expression, target: resolveThresholdTarget(entry.target, targets) });
  }
  const base = raw.base_rps ?? (pattern === 'constant' ? (raw.peak_rps ?? 0) : 0);
  return {
    model: hasRate ? 'open' : 'closed',
    targets,
    duration,
    pattern,
    base_rps: base,
    peak_rps: raw.peak_rps ?? base,
    ...(raw.stages ? { stages: raw.stages } : {}),
    seed: (raw.seed ?? DEFAULTS.seed) >>> 0,
    concurrent_users: users,
    connections,
    pipelining,
    think_time: raw.think_time ?? 0,
    max_in_flight: raw.max_in_flight ?? (users > 0 ? users : connections * pipelining),
    max_lateness: raw.max_lateness ?? DEFAULTS.maxLatenessS,
    thresholds,
  };
}

/** Every problem with the parameters (paths under `prefix`), and the task when there are none. */
export function checkLoadTask(params: unknown, prefix = ''): { task?: LoadTask; problems: Problem[] } {
  const deep = tooDeepAt(params);
  if (deep !== undefined) return { problems: [{ path: joinPath(prefix, deep === '(root)' ? '' : deep), message: `nested deeper than ${MAX_DEPTH} levels` }] };
  const parsed = loadTaskSchema.safeParse(params);
  const problems = parsed.success ? [] : issueProblems(parsed.error, prefix);
  if (params !== null && typeof params === 'object' && !Array.isArray(params)) {
    problems.push(...crossFieldProblems(params as Record<string, unknown>, prefix));
  }
  if (problems.length > 0 || !parsed.success) return { problems };
  return { task: normalise(parsed.data), problems };
}

/** Validates one load_test body (e.g. of `POST /load/start`); throws ValidationError (PLAN_INVALID) listing every problem. */
export function validateLoadTask(params: unknown, pathPrefix = ''): LoadTask {
  const { task, problems } = checkLoadTask(params, pathPrefix);
  if (task === undefined) throw new ValidationError(PLAN_INVALID, 'invalid load_test parameters', problems);
  return task;
}
