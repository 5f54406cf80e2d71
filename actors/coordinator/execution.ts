// An execution as the coordinator keeps it, replicates it and serves it; and the payloads of the
// direct messages that run it. Payloads are validated on receipt.
import { z } from 'zod';
import type { Plan } from '../../src/plan/index.js';
import type { ExecutionReport } from '../load-generator/execution-report.js';

export type ExecutionStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export type AssignmentState = 'assigned' | 'running' | 'done' | 'failed' | 'cancelled';

export interface Assignment {
  node_id: string;
  segment: { from: number; to: number };
  state: AssignmentState;
  /** Why it failed, when it did. */
  reason?: string;
  /** Round trip of the assignment (sent → acknowledged), ms. */
  assign_rtt_ms?: number;
  updated_at: number;
}

export interface ExecutionDoc {
  execution_id: string;
  name: string;
  /** The plan, validated and completed with defaults. */
  plan: Plan;
  /** The plan as submitted: what generators validate for themselves. */
  source: unknown;
  status: ExecutionStatus;
  created_at: number;
  /** The agreed start of every generator, epoch ms. */
  start_at: number | null;
  finished_at: number | null;
  /** The coordinator that wrote this version, and its term. */
  coordinator: string;
  term: number;
  version: number;
  assignments: Assignment[];
  error?: string;
  /** The final report, once the execution has ended. */
  report?: ExecutionReport;
}

/** The run id of one task of an execution on one generator: deltas are keyed by it. */
export const runIdOf = (executionId: string, task: number, node: string) => `${executionId}:${task}:${node}`;

export const KINDS = {
  submit: 'execution.submit',
  digest: 'replication.digest',
  cancel: 'execution.cancel',
  replicate: 'execution.replicate',
  replicateDelta: 'execution.delta',
  assign: 'task.assign',
  resegment: 'task.resegment',
  stop: 'task.stop',
  delta: 'results.delta',
} as const;

const segment = z.object({ from: z.number().min(0).max(1), to: z.number().min(0).max(1) });
const term = z.number().int().nonnegative();

export const SubmitPayload = z.object({ execution_id: z.string().min(1), plan: z.unknown() });
export const CancelPayload = z.object({ execution_id: z.string().min(1) });
export const AssignPayload = z.object({
  execution_id: z.string().min(1),
  term,
  name: z.string(),
  plan: z.unknown(),
  segment,
  start_at: z.number(),
});
/** `version` orders resegments of one execution: a generator applies only newer ones. */
export const ResegmentPayload = z.object({ execution_id: z.string().min(1), term, version: z.number().int(), segment, at: z.number() });
export const StopPayload = z.object({ execution_id: z.string().min(1), term });
const count = z.number().int().nonnegative();
const counters = z.object({
  requests: count,
  successes: count,
  failures: count,
  dropped: count,
  bytes_in: count,
  bytes_out: count,
  status: z.record(z.string(), count),
  errors: z.record(z.string(), count),
});
/** A results delta as it crosses the wire (histograms are base64 HDR, '' when empty). */
export const ResultsDeltaSchema = z.object({
  run_id: z.string().min(1).max(512),
  seq: z.number().int().positive().max(10_000_000),
  final: z.boolean(),
  totals: counters,
  latency: z.string(),
  service: z.string(),
  targets: z.array(z.object({ index: count, counters, latency: z.string(), service: z.string() })),
  seconds: z.array(z.object({ t: count, requests: count, errors: count, dropped: count, latency: z.string() })),
});
export const DeltaPayload = z.object({
  execution_id: z.string().min(1),
  task: z.number().int().nonnegative(),
  node_id: z.string().min(1),
  delta: ResultsDeltaSchema,
});
/** The answer to a delta: the execution's status, so a generator stops work that is over. */
export interface DeltaAck {
  status: ExecutionStatus | 'unknown';
}
const assignment = z.object({ node_id: z.string(), segment, state: z.enum(['assigned', 'running', 'done', 'failed', 'cancelled']), updated_at: z.number() }).passthrough();
export const ExecutionDocSchema = z
  .object({
    execution_id: z.string().min(1),
    name: z.string(),
    plan: z.object({ name: z.string(), tasks: z.array(z.object({ type: z.string(), parameters: z.object({ duration: z.number() }).passthrough() })).min(1) }).passthrough(),
    status: z.enum(['pending', 'running', 'completed', 'failed', 'cancelled']),
    created_at: z.number(),
    start_at: z.number().nullable(),
    finished_at: z.number().nullable(),
    coordinator: z.string(),
    term,
    version: z.number().int(),
    assignments: z.array(assignment),
  })
  .passthrough();
export const ReplicatePayload = z.object({ doc: ExecutionDocSchema });
export const ReplicateDeltaPayload = z.object({ execution_id: z.string(), run_id: z.string(), seq: z.number().int(), delta: ResultsDeltaSchema });
