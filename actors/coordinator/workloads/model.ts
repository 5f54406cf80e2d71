// The workload reducer's vocabulary: its state, the events it takes and the effects it asks for. A
// workload's scenarios each run as a child execution that the execution lifecycle drives; this reducer
// decides only when each scenario reserves its resources and starts, and when the workload ends.
import type { McpError } from '../../../src/errors.js';
import type { ExecutionDoc, ExecutionStatus } from '../../../src/execution/contract.js';
import type { ChildOf } from '../../../src/execution/workload.js';
import type { Plan } from '../../../src/plan/index.js';

/** Scenarios that start together start this long after the last one is ready (the lifecycle's own lead). */
export const START_LEAD_MS = 700;
/** A reservation outlives its scenario's planned end by this much, so one a lost coordinator never released goes by itself. */
export const RESERVATION_SLACK_S = 300;

export interface WorkloadsState {
  self: string;
  ready: boolean;
  term: number;
  /** Unfinished workloads' own documents. */
  workloads: ReadonlyMap<string, ExecutionDoc>;
}

/** A scenario as placed, for a submission. */
export interface PlacedScenario {
  scenario_id: string;
  name: string;
  nodes: string[];
  resources: Record<string, number>;
  estimated_duration_s: number;
}

/** What a new coordinator knows of a child execution from its store. */
export interface ChildStatus {
  status: ExecutionStatus;
  error?: string | undefined;
}

export type WorkloadEvent =
  | { type: 'office'; now: number; ready: boolean; term: number }
  /** Taking over: the unfinished workloads in the store and the stored status of their children. */
  | { type: 'resumed'; now: number; docs: readonly ExecutionDoc[]; children: Readonly<Record<string, ChildStatus>> }
  | { type: 'submitted'; now: number; executionId: string; plan: Plan; source: unknown; mode: 'coordinated' | 'parallel' | 'sequential'; strategy: string; scenarios: readonly PlacedScenario[]; existing?: boolean }
  | { type: 'reserved'; now: number; executionId: string; task: number; ok: true }
  | { type: 'reserved'; now: number; executionId: string; task: number; ok: false; reason: string }
  /** The lifecycle refused to start the child (it never ran). */
  | { type: 'child.refused'; now: number; executionId: string; task: number; error: string }
  | { type: 'child.ended'; now: number; executionId: string; task: number; status: ExecutionStatus; error?: string | undefined }
  | { type: 'cancel'; now: number; executionId: string };

export type WorkloadEffect =
  /** Reserve exactly this much on each node (all or nothing), through the pool. */
  | { type: 'reserve'; executionId: string; task: number; allocation_id: string; pin: Record<string, Record<string, number>>; ttl_s: number }
  | { type: 'release'; allocation_id: string }
  /** Submit the scenario's child execution to the lifecycle, pinned to its nodes, starting at `startAt`. */
  | { type: 'start-child'; executionId: string; task: number; childId: string; nodes: string[]; startAt: number; childOf: ChildOf }
  | { type: 'cancel-child'; childId: string }
  /** Persist and replicate the workload's document; `ended`: with its final report. */
  | { type: 'write'; doc: ExecutionDoc; ended: boolean }
  | { type: 'log'; level: 'info' | 'warn'; message: string; fields: Record<string, unknown> };

export type WorkloadOutcome<T> = { ok: true; value: T } | { ok: false; error: McpError };

export interface WorkloadStep<A = unknown> {
  state: WorkloadsState;
  effects: WorkloadEffect[];
  answer: A;
}

export function initialWorkloads(self: string): WorkloadsState {
  return { self, ready: false, term: 0, workloads: new Map() };
}
