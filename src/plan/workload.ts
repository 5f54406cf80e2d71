// A workload: `{ name, scenarios: [...], execution_mode, strategy }`, the seed's richer shape beside
// the plan's `tasks`. Each scenario is a task (validated as one) with what its placement needs.
import { z } from 'zod';
import { ValidationError, type Problem } from '../errors.js';
import { STRATEGIES, type ScenarioDemand, type Strategy } from '../distribution.js';
import { problemsOf } from '../validation.js';
import { durationSchema } from './duration.js';
import { durationOf, validatePlan, type Plan, type PlanTask } from './plan.js';

export const EXECUTION_MODES = ['coordinated', 'parallel', 'sequential'] as const;

/** The capability a test type needs when a scenario names none. */
const IMPLIED_CAPABILITY: Record<string, string> = { load_test: 'http_load', performance_test: 'http_load', stress_test: 'http_load', security_test: 'http_load' };

export const ScenarioSchema = z.strictObject({
  scenario_id: z.string().min(1).max(128).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . -').optional(),
  name: z.string().max(200).optional(),
  description: z.string().max(2_000).optional(),
  test_type: z.string().min(1).max(64),
  parameters: z.unknown(),
  required_capabilities: z.array(z.string().min(1).max(128)).max(32).optional(),
  /** Per node it runs on, in each type's base unit (cpu cores, memory/disk bytes, network Mbps, custom units). */
  resource_requirements: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/).max(64), z.number().nonnegative()).default({}),
  location: z.string().min(1).max(128).optional(),
  estimated_duration: durationSchema({ positive: true }).optional(),
  /** How many nodes share it. */
  nodes: z.number().int().positive().max(1_000).default(1),
});

export const WorkloadSchema = z.strictObject({
  name: z.string().min(1).max(1_000),
  description: z.string().max(2_000).optional(),
  scenarios: z.array(z.unknown()).min(1, 'needs at least one scenario').max(64),
  execution_mode: z.enum(EXECUTION_MODES).default('coordinated'),
  strategy: z.enum(STRATEGIES).optional(),
});

export interface Scenario {
  scenario_id: string;
  name: string;
  task: PlanTask;
  demand: ScenarioDemand;
  estimated_duration_s: number;
}

export interface Workload {
  name: string;
  execution_mode: (typeof EXECUTION_MODES)[number];
  strategy: Strategy | undefined;
  scenarios: Scenario[];
}

export function isWorkload(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'scenarios' in body;
}

/** Validates a workload; throws ValidationError (WORKLOAD_INVALID) listing every problem with its path. */
export function validateWorkload(body: unknown): Workload {
  const problems: Problem[] = [];
  const top = WorkloadSchema.safeParse(body);
  if (!top.success) problems.push(...problemsOf(top.error));
  const raw = Array.isArray((body as { scenarios?: unknown } | null)?.scenarios) ? (body as { scenarios: unknown[] }).scenarios : [];
  const scenarios: Scenario[] = [];
  const ids = new Set<string>();
  raw.forEach((r, i) => {
    const s = ScenarioSchema.safeParse(r);
    if (!s.success) {
      problems.push(...problemsOf(s.error, ['scenarios', i]));
      return;
    }
    let task: PlanTask | undefined;
    try {
      task = validatePlan({ name: 'scenario', tasks: [{ type: s.data.test_type, parameters: s.data.parameters }] }).tasks[0];
    } catch (error) {
      const inner = error instanceof ValidationError ? error.problems : [{ path: '', message: String(error) }];
      for (const p of inner) problems.push({ path: `scenarios[${i}]${p.path.replace(/^tasks\[0\]\.?/, '.').replace(/^\.type/, '.test_type').replace(/^\.$/, '')}`, message: p.message });
    }
    const id = s.data.scenario_id ?? `scenario-${i + 1}`;
    if (ids.has(id)) problems.push({ path: `scenarios[${i}].scenario_id`, message: `duplicate scenario_id ${id}` });
    ids.add(id);
    const estimated = s.data.estimated_duration ?? (task ? durationOf(task) : 0);
    const implied = IMPLIED_CAPABILITY[s.data.test_type];
    if (task) {
      scenarios.push({
        scenario_id: id,
        name: s.data.name ?? id,
        task,
        estimated_duration_s: estimated,
        demand: {
          scenario_id: id,
          required_capabilities: s.data.required_capabilities ?? (implied ? [implied] : []),
          resource_requirements: s.data.resource_requirements,
          location: s.data.location,
          nodes: s.data.nodes,
        },
      });
    }
  });
  if (problems.length > 0 || !top.success) throw new ValidationError('WORKLOAD_INVALID', 'invalid workload', problems);
  return { name: top.data.name, execution_mode: top.data.execution_mode, strategy: top.data.strategy, scenarios };
}

/** The plan of a workload: each scenario's task, in order (what guardrails check and reports show). */
export function workloadPlan(workload: Workload): Plan {
  return { name: workload.name, tasks: workload.scenarios.map((s) => s.task) };
}
