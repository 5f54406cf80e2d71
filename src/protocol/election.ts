// The election's messages on the wire (`/mcpdt/election/1.0.0`, a stream protocol of its own so that
// votes and leases never queue behind other traffic). Declared once; the types are inferred.
import { z } from 'zod';

export const ELECTION_PROTOCOL = '/mcpdt/election/1.0.0';

const term = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const id = z.string().min(1).max(128);

export const VoteRequest = z.object({ type: z.literal('vote.request'), term, candidate: id });
export const VoteReply = z.object({ type: z.literal('vote.reply'), term, granted: z.boolean(), voter: id });
export const CoordinatorHeartbeat = z.object({ type: z.literal('coordinator.heartbeat'), term, coordinator: id, sentAt: z.number() });
/** `sentAt` echoes the heartbeat's: the lease runs from when the coordinator sent it, not from the ack's arrival. */
export const CoordinatorAck = z.object({ type: z.literal('coordinator.ack'), term, from: id, ok: z.boolean(), sentAt: z.number() });

export const ElectionMessageSchema = z.discriminatedUnion('type', [VoteRequest, VoteReply, CoordinatorHeartbeat, CoordinatorAck]);
export type ElectionMessage = z.infer<typeof ElectionMessageSchema>;

/** A frame of the protocol: an election message, or `election.none` for a request that needs no answer. */
export const ElectionFrame = z.discriminatedUnion('type', [VoteRequest, VoteReply, CoordinatorHeartbeat, CoordinatorAck, z.object({ type: z.literal('election.none') })]);
export type ElectionFrame = z.infer<typeof ElectionFrame>;
