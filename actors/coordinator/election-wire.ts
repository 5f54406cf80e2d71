// Election messages on the wire: protocol and validation.
import { z } from 'zod';

export const ELECTION_PROTOCOL = '/mcpdt/election/1.0.0';

const term = z.number().int().nonnegative();
const id = z.string().min(1).max(128);

export const ElectionFrame = z.discriminatedUnion('type', [
  z.object({ v: z.literal(1), type: z.literal('vote.request'), term, candidate: id }),
  z.object({ v: z.literal(1), type: z.literal('vote.reply'), term, granted: z.boolean(), voter: id }),
  z.object({ v: z.literal(1), type: z.literal('coordinator.heartbeat'), term, coordinator: id, sentAt: z.number() }),
  z.object({ v: z.literal(1), type: z.literal('coordinator.ack'), term, from: id, ok: z.boolean(), sentAt: z.number() }),
  /** A request that needs no answer is answered with this. */
  z.object({ v: z.literal(1), type: z.literal('election.none') }),
]);
