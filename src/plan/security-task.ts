// A `security_test` task: probes one target for reflected XSS, SQL injection, CSRF, missing security
// headers and permissive CORS, following its same-origin links and forms to the asked depth.
//
//   target:        the URL to start from (http or https)
//   scan_types:    [xss, sql_injection, csrf, headers, cors] (default: all)
//   depth:         shallow (the target page only) | normal (links one hop away) | deep (three hops)
//   authorized:    must be true: the operator states that probing this target is allowed
//   rate:          requests per second at most (default 5, at most 50)
//   max_requests:  requests in all at most (default 300, at most 5000)
//   timeout:       per request (default 10s)
//   sql_delay:     the delay time-based SQL probes ask the database for (default 2s, 1s to 5s)
//   headers:       sent with every request (e.g. a session cookie)
import { z } from 'zod';
import { ValidationError, type Problem } from '../errors.js';
import { durationSchema } from './duration.js';
import { issueProblems, PLAN_INVALID } from './problems.js';

export const SCAN_TYPES = ['xss', 'sql_injection', 'csrf', 'headers', 'cors'] as const;
export type ScanType = (typeof SCAN_TYPES)[number];

export const DEPTHS = ['shallow', 'normal', 'deep'] as const;
export type Depth = (typeof DEPTHS)[number];

/** Hops from the target and pages visited at most, per depth. */
export const DEPTH_LIMITS: Record<Depth, { hops: number; pages: number }> = {
  shallow: { hops: 0, pages: 1 },
  normal: { hops: 1, pages: 20 },
  deep: { hops: 3, pages: 100 },
};

export const SECURITY_LIMITS = { rate: 50, maxRequests: 5_000, timeoutS: 60 } as const;
export const SECURITY_DEFAULTS = { rate: 5, maxRequests: 300, timeoutS: 10, sqlDelayS: 2 } as const;

const url = z.string().superRefine((text, ctx) => {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a URL (give one such as http://host:port/)` });
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `only http and https URLs can be probed, got ${parsed.protocol}` });
});

export const securityTaskSchema = z.strictObject(
  {
    target: url,
    scan_types: z.array(z.enum(SCAN_TYPES, { error: `expected one of ${SCAN_TYPES.join(', ')}` })).min(1).optional(),
    depth: z.enum(DEPTHS, { error: `expected one of ${DEPTHS.join(', ')}` }).optional(),
    authorized: z.literal(true, { error: 'must be true: state that you are authorized to probe this target' }),
    rate: z.number().positive().max(SECURITY_LIMITS.rate).optional(),
    max_requests: z.number().int().min(1).max(SECURITY_LIMITS.maxRequests).optional(),
    timeout: durationSchema({ positive: true, max: SECURITY_LIMITS.timeoutS }).optional(),
    sql_delay: durationSchema({ min: 1, max: 5 }).optional(),
    headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  },
  { error: 'expected an object of security_test parameters' },
);

export interface SecurityTask {
  target: string;
  scan_types: ScanType[];
  depth: Depth;
  authorized: true;
  /** Requests per second at most. */
  rate: number;
  max_requests: number;
  /** Seconds. */
  timeout: number;
  /** Seconds. */
  sql_delay: number;
  headers: Record<string, string>;
}

/** Every problem with the parameters (paths under `prefix`), and the task when there are none. */
export function checkSecurityTask(params: unknown, prefix = ''): { task?: SecurityTask; problems: Problem[] } {
  const parsed = securityTaskSchema.safeParse(params);
  if (!parsed.success) return { problems: issueProblems(parsed.error, prefix) };
  const raw = parsed.data;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw.headers ?? {})) headers[k] = String(v);
  return {
    problems: [],
    task: {
      target: raw.target,
      scan_types: [...new Set(raw.scan_types ?? SCAN_TYPES)],
      depth: raw.depth ?? 'normal',
      authorized: true,
      rate: raw.rate ?? SECURITY_DEFAULTS.rate,
      max_requests: raw.max_requests ?? SECURITY_DEFAULTS.maxRequests,
      timeout: raw.timeout ?? SECURITY_DEFAULTS.timeoutS,
      sql_delay: raw.sql_delay ?? SECURITY_DEFAULTS.sqlDelayS,
      headers,
    },
  };
}

/** Validates one security_test body; throws ValidationError (PLAN_INVALID) listing every problem. */
export function validateSecurityTask(params: unknown, pathPrefix = ''): SecurityTask {
  const { task, problems } = checkSecurityTask(params, pathPrefix);
  if (task === undefined) throw new ValidationError(PLAN_INVALID, 'invalid security_test parameters', problems);
  return task;
}
