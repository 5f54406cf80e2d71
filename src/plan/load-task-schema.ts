// Field-level schema of a `load_test` task's parameters. Cross-field rules live in load-task.ts.
//
//   targets:            - { url, name?, method? (GET; POST when a body is given), headers?, body? (string,
//                           or JSON sent with content-type application/json), weight? (1), timeout? (10s),
//                           expected_status? (200-399; a status or a list), thresholds?: [expression] }
//   duration:           seconds or "500ms", "4s", "2m", "1m30s" (with stages: optional, their total)
//   base_rps, peak_rps, pattern (constant | ramp_up | ramp_down | spike | wave | random | burst | stages)
//   stages:             [{ duration, target }], k6 style, from base_rps (0 by default)
//   seed:               for `random` (1 by default), so every peer computes the same schedule
//   concurrent_users, think_time            closed model
//   connections (per origin), pipelining, max_in_flight, max_lateness (1s)   open model
//   thresholds:         ["p99 < 250ms", { expression: "p95 <= 0.5s", target: <name | url | index> }]
import { z } from 'zod';
import { durationSchema } from './duration.js';
import { thresholdProblem } from './thresholds.js';
import { quote } from '../validation.js';

export const PATTERNS = ['constant', 'ramp_up', 'ramp_down', 'spike', 'wave', 'random', 'burst', 'stages'] as const;
export type Pattern = (typeof PATTERNS)[number];

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Hard bounds that keep every run finite. */
export const LIMITS = {
  durationS: 86_400,
  rps: 1_000_000,
  users: 100_000,
  connections: 10_000,
  pipelining: 256,
  maxInFlight: 1_000_000,
  timeoutS: 600,
  stages: 1_000,
} as const;

const expression = z.string().superRefine((text, ctx) => {
  const problem = thresholdProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const url = z.string().superRefine((text, ctx) => {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `${quote(text)} is not a URL` });
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: `only http and https URLs are supported, got ${parsed.protocol}` });
  }
});

const status = z.number().int().min(100).max(599);

// RFC 9110 token characters; a CR or LF in a value would let a plan inject headers or requests.
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/, 'not a valid header name');
const headerValue = z
  .string()
  .max(16_384)
  .refine((v) => !/[\r\n\0]/.test(v), 'a header value may not contain CR, LF or NUL');
/** `{ value, secret: true }`: redacted (`***`) wherever the plan is stored or shown. */
const secretHeader = z.strictObject({ value: z.union([headerValue, z.number(), z.boolean()]), secret: z.boolean() });
const rate = z.number().min(0).max(LIMITS.rps);
const count = (max: number) => z.number().int().min(1).max(max);

export const targetSchema = z.strictObject({
  url,
  name: z.string().min(1).optional(),
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .pipe(z.enum(HTTP_METHODS, { error: `expected one of ${HTTP_METHODS.join(', ')}` }))
    .optional(),
  headers: z.record(headerName, z.union([headerValue, z.number(), z.boolean(), secretHeader])).optional(),
  body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  /** The body is a secret: redacted (`***`) wherever the plan is stored or shown. */
  secret_body: z.boolean().optional(),
  weight: z.number().positive().max(1e6).optional(),
  timeout: durationSchema({ positive: true, max: LIMITS.timeoutS }).optional(),
  expected_status: z.union([status, z.array(status).min(1)]).optional(),
  thresholds: z.array(expression).optional(),
});

export const stageSchema = z.strictObject({
  duration: durationSchema({ max: LIMITS.durationS }),
  target: rate,
});

export const thresholdEntrySchema = z.union([
  expression,
  z.strictObject({ expression, target: z.union([z.string().min(1), z.number().int().min(0)]).optional() }),
]);

export const loadTaskShape = {
  targets: z.array(targetSchema).min(1, 'needs at least one target'),
  duration: durationSchema({ positive: true, max: LIMITS.durationS }).optional(),
  base_rps: rate.optional(),
  peak_rps: rate.optional(),
  pattern: z.enum(PATTERNS, { error: `expected one of ${PATTERNS.join(', ')}` }).optional(),
  stages: z.array(stageSchema).min(1).max(LIMITS.stages).optional(),
  seed: z.number().int().optional(),
  concurrent_users: count(LIMITS.users).optional(),
  connections: count(LIMITS.connections).optional(),
  pipelining: count(LIMITS.pipelining).optional(),
  think_time: durationSchema({ max: 3600 }).optional(),
  max_in_flight: count(LIMITS.maxInFlight).optional(),
  max_lateness: durationSchema({ max: 600 }).optional(),
  thresholds: z.array(thresholdEntrySchema).optional(),
};

export const loadTaskSchema = z.strictObject(loadTaskShape, { error: 'expected an object of load_test parameters' });
export type RawLoadTask = z.output<typeof loadTaskSchema>;
export type RawTarget = z.output<typeof targetSchema>;
