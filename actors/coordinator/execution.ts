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
export const ResegmentPayload = z.object({ execution_id: z.string().min(1), term, segment, at: z.number() });
export const StopPayload = z.object({ execution_id: z.string().min(1), term });
export const DeltaPayload = z.object({
  execution_id: z.string().min(1),
  task: z.number().int().nonnegative(),
  node_id: z.string().min(1),
  delta: z.object({ run_id: z.string(), seq: z.number().int().positive(), final: z.boolean() }).passthrough(),
});
export const ReplicatePayload = z.object({ doc: z.object({ execution_id: z.string(), term, version: z.number().int() }).passthrough() });
export const ReplicateDeltaPayload = z.object({ execution_id: z.string(), run_id: z.string(), seq: z.number().int(), delta: z.unknown() });
