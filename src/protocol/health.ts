// Frames of the health topic (src/protocol/topics.ts): each peer's sample every check interval, and its process probe each second while
// load runs. Validated on receipt.
import { z } from 'zod';
import { HealthSampleSchema, ProcessProbeSchema } from '../health.js';

/** Gossiped every check interval; `probe` frames carry the process probe alone, each second while load runs. */
export const HealthFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('health.sample'), sample: HealthSampleSchema }),
  z.object({ type: z.literal('health.probe'), node_id: z.string().min(1).max(128), probe: ProcessProbeSchema }),
]);
export type HealthFrame = z.infer<typeof HealthFrame>;
