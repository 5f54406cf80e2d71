// A workload as an execution holds it: its scenarios, where each was placed, and how far each got.
// The workload's own document is an execution document with this part; each scenario's load runs as a
// child execution (a plain one, pinned to the scenario's nodes), so its results merge like any other.
import { z } from 'zod';
import { EXECUTION_MODES } from '../plan/workload.js';

export const SCENARIO_STATES = ['waiting', 'reserving', 'reserved', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ScenarioState = (typeof SCENARIO_STATES)[number];
export const FINAL_SCENARIO_STATES: readonly ScenarioState[] = ['completed', 'failed', 'cancelled'];

const NodeId = z.string().min(1).max(128);

export const ScenarioRunSchema = z.object({
  scenario_id: z.string().min(1).max(128),
  name: z.string().max(200),
  /** Its task in the workload's plan (`plan.tasks[task]`). */
  task: z.number().int().nonnegative(),
  /** Where the distributor placed it. */
  nodes: z.array(NodeId).max(1_000),
  /** Per node it runs on, in base units; reserved through the resource pool while it runs. */
  resources: z.record(z.string(), z.number().nonnegative()),
  estimated_duration_s: z.number().nonnegative(),
  state: z.enum(SCENARIO_STATES),
  /** The child execution running its load, once started. */
  execution_id: z.string().max(200).optional(),
  /** Its reservation in the pool, while held. */
  allocation_id: z.string().max(200).optional(),
  start_at: z.number().nullable(),
  finished_at: z.number().nullable(),
  /** Why it failed or was cancelled. */
  reason: z.string().max(10_000).optional(),
});
export type ScenarioRun = z.infer<typeof ScenarioRunSchema>;

export const WorkloadPartSchema = z.object({
  execution_mode: z.enum(EXECUTION_MODES),
  strategy: z.string().max(64),
  scenarios: z.array(ScenarioRunSchema).min(1).max(64),
});
export type WorkloadPart = z.infer<typeof WorkloadPartSchema>;

/** On a child execution: the workload and scenario it runs, and the nodes it is pinned to. */
export const ChildOfSchema = z.object({
  execution_id: z.string().min(1).max(128),
  scenario_id: z.string().min(1).max(128),
});
export type ChildOf = z.infer<typeof ChildOfSchema>;

/** The id of a scenario's child execution (stable, so a new coordinator re-submits it idempotently). */
export const childIdOf = (workloadId: string, task: number) => `${workloadId}.s${task + 1}`;

/** The id of a scenario's reservation in the pool. */
export const allocationIdOf = (workloadId: string, task: number) => `exec:${childIdOf(workloadId, task)}`;

/** Progress of a workload: each scenario's elapsed share of its estimated duration, weighted by it. */
export function workloadProgress(part: WorkloadPart, now: number): number {
  let done = 0;
  let total = 0;
  for (const s of part.scenarios) {
    const weight = Math.max(1, s.estimated_duration_s);
    total += weight;
    if (s.state === 'completed' || s.state === 'failed' || s.state === 'cancelled') done += weight;
    else if (s.start_at !== null) done += weight * Math.max(0, Math.min(1, (now - s.start_at) / (weight * 1000)));
  }
  return total === 0 ? 0 : Math.round((done / total) * 1000) / 10;
}
