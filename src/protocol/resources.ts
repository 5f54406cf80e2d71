// The resources topic: each peer announces its capacity (validated on receipt).
import { z } from 'zod';

export const RESOURCES_TOPIC = '/mcpdt/resources/1.0.0';

export const CapacityFrame = z.object({
  type: z.literal('resources.capacity'),
  node_id: z.string().min(1).max(128),
  capacity: z.record(z.string().max(64), z.number().nonnegative()),
});
