// TEMPORARY: the shared contracts this folder uses, until main moves them into src/.
import type { z } from 'zod';
import { AssignPayload as AssignSchema, ResegmentPayload as ResegmentSchema, StopPayload as StopSchema } from '../execution.js';
export { runIdOf } from '../execution.js';
export type { Assignment, ExecutionDoc, ExecutionStatus } from '../execution.js';
export type { Segment } from '../../test-distributor/split.js';
export { coversWhole } from '../../test-distributor/split.js';
export type AssignPayload = z.infer<typeof AssignSchema>;
export type ResegmentPayload = z.infer<typeof ResegmentSchema>;
export type StopPayload = z.infer<typeof StopSchema>;
export const FINAL_STATUSES = ['completed', 'failed', 'cancelled'] as const;
export function maxDurationMs(plan: { tasks: { parameters: { duration: number } }[] }): number {
  return Math.max(...plan.tasks.map((t) => t.parameters.duration)) * 1000;
}
