// The plan as a user writes it (before validation fills in defaults), typed from the zod schemas.
import type { z } from 'zod';
import type { loadTaskSchema } from '../plan/load-task-schema.js';

/** The parameters of a `load_test` task as written: durations as seconds or "30s", thresholds as text. */
export type LoadTaskInput = z.input<typeof loadTaskSchema>;

/** A plan as written in YAML or JSON; `validatePlan` turns it into a `Plan` with every default filled in. */
export interface PlanInput {
  name: string;
  description?: string;
  tasks: { type: 'load_test'; parameters: LoadTaskInput }[];
}

/** One scenario of a workload as written (`resource_requirements` per node, in base units). */
export interface ScenarioInput {
  scenario_id?: string;
  name?: string;
  description?: string;
  test_type: 'load_test';
  parameters: LoadTaskInput;
  required_capabilities?: string[];
  resource_requirements?: Record<string, number>;
  location?: string;
  estimated_duration?: number | string;
  nodes?: number;
}

/** A workload as written: scenarios placed by a strategy and run in an execution mode. */
export interface WorkloadInput {
  name: string;
  description?: string;
  scenarios: ScenarioInput[];
  execution_mode?: 'coordinated' | 'parallel' | 'sequential';
  strategy?: 'round_robin' | 'least_loaded' | 'capability_based' | 'locality_aware' | 'weighted' | 'adaptive';
}
