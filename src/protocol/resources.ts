// Frames of the resources topic (src/protocol/topics.ts): each peer announces its capacity.
import { z } from 'zod';

export const CapacityFrame = z.object({
  type: z.literal('resources.capacity'),
  node_id: z.string().min(1).max(128),
  capacity: z.record(z.string().max(64), z.number().nonnegative()),
});
