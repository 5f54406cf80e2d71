// An execution as the coordinator keeps it, replicates it and every peer serves it. Declared once as
// a schema (replicas are validated on receipt); the types are inferred from it.
import { z } from 'zod';
import { durationOf, type Plan } from '../plan/index.js';
import type { ExecutionReport } from '../report/index.js';
import { SegmentSchema } from './segment.js';
import { ChildOfSchema, WorkloadPartSchema } from './workload.js';

export const EXECUTION_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export const ExecutionStatusSchema = z.enum(EXECUTION_STATUSES);
export type ExecutionStatus = z.infer<typeof ExecutionStatusSchema>;
/** Statuses after which an execution never changes again. */
export const FINAL_STATUSES: readonly ExecutionStatus[] = ['completed', 'failed', 'cancelled'];

export const ASSIGNMENT_STATES = ['assigned', 'running', 'done', 'failed', 'cancelled'] as const;
export type AssignmentState = (typeof ASSIGNMENT_STATES)[number];

export const TermSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const ExecutionIdSchema = z.string().min(1).max(128);
export const NodeIdSchema = z.string().min(1).max(128);

export const AssignmentSchema = z.object({
  node_id: NodeIdSchema,
  segment: SegmentSchema,
  state: z.enum(ASSIGNMENT_STATES),
  /** Why it failed, when it did. */
  reason: z.string().max(1_000).optional(),
  /** Round trip of the assignment (sent → acknowledged), ms. */
  assign_rtt_ms: z.number().nonnegative().optional(),
  updated_at: z.number(),
  /** The segments this node held, each from its `at` (epoch ms) on: what its arrivals were. */
  shares: z.array(z.object({ at: z.number(), segment: SegmentSchema })).max(1_000).optional(),
  /** When its share moved to the others (epoch ms): arrivals due from then on are theirs. */
  moved_at: z.number().optional(),
});
export type Assignment = z.infer<typeof AssignmentSchema>;

/** A validated plan, completed with defaults (the coordinator validated it; replicas check its shape). */
const PlanShape = z.custom<Plan>(
  (v) => typeof v === 'object' && v !== null && typeof (v as Plan).name === 'string' && Array.isArray((v as Plan).tasks) && (v as Plan).tasks.length > 0,
  'expected a validated plan { name, tasks }',
);
/** The final report, built by the coordinator from the merged results. */
const ReportShape = z.custom<ExecutionReport>((v) => typeof v === 'object' && v !== null && 'summary' in v, 'expected a report');

export const ExecutionDocSchema = z.object({
  execution_id: ExecutionIdSchema,
  name: z.string().max(1_000),
  /** The plan, validated and completed with defaults. */
  plan: PlanShape,
  /** The plan as submitted: what generators validate for themselves. */
  source: z.unknown(),
  status: ExecutionStatusSchema,
  created_at: z.number(),
  /** The agreed start of every generator, epoch ms. */
  start_at: z.number().nullable(),
  finished_at: z.number().nullable(),
  /** The coordinator that wrote this version, and its term: with `version` they order replicas. */
  coordinator: NodeIdSchema,
  term: TermSchema,
  version: z.number().int().nonnegative(),
  assignments: z.array(AssignmentSchema).max(10_000),
  error: z.string().max(10_000).optional(),
  /** The load was stopped before the planned end (a stress test's objective broke): when, and why. */
  stopped_early: z.object({ at: z.number(), reason: z.string().max(2_000) }).optional(),
  report: ReportShape.optional(),
  /** A workload: its scenarios, each run as a child execution (src/execution/workload.ts). */
  workload: WorkloadPartSchema.optional(),
  /** A workload's scenario: its parent, and the only nodes it may run on. */
  child_of: ChildOfSchema.optional(),
  nodes: z.array(NodeIdSchema).max(1_000).optional(),
  /** The agreed start asked for (a coordinated workload starts its scenarios together). */
  start_not_before: z.number().optional(),
});
export type ExecutionDoc = z.infer<typeof ExecutionDocSchema>;

/** The run id of one task of an execution on one generator: deltas are keyed by it. */
export const runIdOf = (executionId: string, task: number, node: string) => `${executionId}:${task}:${node}`;

/** Task index and node of a run id `${execution}:${task}:${node}`. */
export function parseRunId(runId: string): { task: number; node: string } {
  const parts = runId.split(':');
  return { task: Number(parts[parts.length - 2]), node: parts[parts.length - 1] ?? '' };
}

/** The planned length of an execution: its longest task. */
export function maxDurationMs(plan: Plan): number {
  return Math.max(...plan.tasks.map(durationOf)) * 1000;
}
