// The plan's JSON Schema, generated from the zod schemas that validate plans (plan.ts for the envelope,
// load-task-schema.ts, stress-task.ts, baseline.ts and security-task.ts for each task type), so editors
// check YAML plans with the very rules peers apply. Cross-field rules (load-task.ts: a rate or users,
// stages with pattern; stress-task.ts: max_rps >= start_rps) are not expressible here.
import { z } from 'zod';
import { baselineSchema } from './baseline.js';
import { loadTaskSchema, loadTaskShape } from './load-task-schema.js';
import { planSchema, taskSchema, tasksOf } from './plan.js';
import { ScenarioSchema, WorkloadSchema } from './workload.js';
import { securityTaskSchema } from './security-task.js';
import { LOAD_FIELDS, stressShape } from './stress-task.js';

export const PLAN_SCHEMA_ID = 'https://github.com/mcp-distributed-testing/mcp-distributed-testing/schema/plan.schema.json';

/** The JSON Schema (draft 2020-12) of a plan as written. */
export function planJsonSchema(): Record<string, unknown> {
  const loadTestTask = taskSchema.extend({ type: z.literal('load_test'), parameters: loadTaskSchema });
  const performanceTask = taskSchema.extend({ type: z.literal('performance_test'), parameters: loadTaskSchema.extend({ baseline: baselineSchema.optional() }) });
  const stressParameters = z.strictObject({ ...Object.fromEntries(LOAD_FIELDS.map((k) => [k, loadTaskShape[k]])), ...stressShape });
  const stressTask = taskSchema.extend({ type: z.literal('stress_test'), parameters: stressParameters });
  const securityTask = taskSchema.extend({ type: z.literal('security_test'), parameters: securityTaskSchema });
  const plan = planSchema.extend({ tasks: tasksOf(z.discriminatedUnion('type', [loadTestTask, performanceTask, stressTask, securityTask])) });
  const schema = z.toJSONSchema(plan, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  return { ...schema, $id: PLAN_SCHEMA_ID, title: 'MCP Distributed Testing plan' };
}

export const WORKLOAD_SCHEMA_ID = 'https://github.com/mcp-distributed-testing/mcp-distributed-testing/schema/workload.schema.json';

/** The JSON Schema of a workload as written: scenarios (each a task with what its placement needs), mode, strategy. */
export function workloadJsonSchema(): Record<string, unknown> {
  const scenario = ScenarioSchema.extend({ test_type: z.literal('load_test'), parameters: loadTaskSchema });
  const workload = WorkloadSchema.extend({ scenarios: z.array(scenario).min(1).max(64) });
  const schema = z.toJSONSchema(workload, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  return { ...schema, $id: WORKLOAD_SCHEMA_ID, title: 'MCP Distributed Testing workload' };
}
