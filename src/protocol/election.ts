// The election's messages on the wire (`/mcpdt/election/1.0.0`, a stream protocol of its own so that
// votes and leases never queue behind other traffic). Declared once; the types are inferred.
import { z } from 'zod';

export const ELECTION_PROTOCOL = '/mcpdt/election/1.0.0';

const term = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const id = z.string().min(1).max(128);

/** Pre-vote: "would you vote for me in `term`?", asked before standing, so that a peer that was cut off
 * or frozen cannot raise the term (and depose a healthy coordinator) unless a majority has lost it too. */
export const PreVoteRequest = z.object({ type: z.literal('prevote.request'), term, candidate: id });
export const PreVoteReply = z.object({ type: z.literal('prevote.reply'), term, granted: z.boolean(), voter: id });
export const VoteRequest = z.object({ type: z.literal('vote.request'), term, candidate: id });
export const VoteReply = z.object({ type: z.literal('vote.reply'), term, granted: z.boolean(), voter: id });
/** A lease in ms: optional, absent from peers of an earlier version (the receiver then takes the short, busy lease). */
const leaseMs = z.number().int().positive().max(60_000).optional();
/** `leaseMs`: how long the follower holds this coordinator's lease (votes for nobody else) from hearing it. */
export const CoordinatorHeartbeat = z.object({ type: z.literal('coordinator.heartbeat'), term, coordinator: id, sentAt: z.number(), leaseMs });
/** `sentAt` and `leaseMs` echo the heartbeat's: the lease runs from when the coordinator sent it, not from the ack's arrival. */
export const CoordinatorAck = z.object({ type: z.literal('coordinator.ack'), term, from: id, ok: z.boolean(), sentAt: z.number(), leaseMs });

export const ElectionMessageSchema = z.discriminatedUnion('type', [PreVoteRequest, PreVoteReply, VoteRequest, VoteReply, CoordinatorHeartbeat, CoordinatorAck]);
export type ElectionMessage = z.infer<typeof ElectionMessageSchema>;

/** A frame of the protocol: an election message, or `election.none` for a request that needs no answer. */
export const ElectionFrame = z.discriminatedUnion('type', [...ElectionMessageSchema.options, z.object({ type: z.literal('election.none') })]);
export type ElectionFrame = z.infer<typeof ElectionFrame>;
