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
