// The plan's JSON Schema, generated from the zod schemas the validator itself uses (never hand-written).
import { z } from 'zod';
import { loadTaskSchema } from '../plan/load-task-schema.js';

const PlanSchema = z.strictObject({
  name: z.string().min(1).describe('a name for the plan'),
  description: z.string().optional(),
  tasks: z
    .array(z.strictObject({ type: z.literal('load_test'), parameters: loadTaskSchema }))
    .min(1)
    .describe('tasks run together, each split across the alive peers'),
});

let cached: string | undefined;

/** JSON Schema (draft 2020-12) of what a client may send; cross-field rules are checked by validate_plan. */
export function planJsonSchema(): string {
  cached ??= JSON.stringify(
    { title: 'MCP Distributed Testing plan', ...z.toJSONSchema(PlanSchema, { io: 'input', unrepresentable: 'any' }) },
    null,
    2,
  );
  return cached;
}
