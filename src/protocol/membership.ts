// Membership: the heartbeat topic and hello protocol (validated on receipt), and a member as every role
// sees it. The discovery role keeps the view; the others read it.
import { z } from 'zod';

export const HELLO_PROTOCOL = '/mcpdt/membership/hello/1.0.0';

export const MemberInfo = z.object({
  node_id: z.string().min(1).max(128),
  http_url: z.string().max(512),
  addresses: z.array(z.string().max(512)).max(64),
  roles: z.array(z.string().max(64)).max(32),
  capabilities: z.array(z.string().max(128)).max(128),
  location: z.string().max(128),
  version: z.string().max(64),
  /** Start of this incarnation (ms since epoch): tells a restart from a late frame. */
  started_at: z.number().int().nonnegative(),
});
export type MemberInfo = z.infer<typeof MemberInfo>;

/**
 * `every_ms`: the sender's heartbeat period from now on (slower at rest: actors/discovery). A receiver
 * judges its silence against it; a sender that gives none is judged against the receiver's own period.
 */
export const HeartbeatFrame = z.object({
  type: z.literal('member.heartbeat'),
  member: MemberInfo,
  seq: z.number().int().nonnegative(),
  every_ms: z.number().int().positive().max(3_600_000).optional(),
});
export const LeaveFrame = z.object({ type: z.literal('member.leave'), node_id: z.string(), started_at: z.number().int() });
export const MembershipFrame = z.discriminatedUnion('type', [HeartbeatFrame, LeaveFrame]);
export type MembershipFrame = z.infer<typeof MembershipFrame>;

/** A member another peer knows of, and where to reach it. */
export const KnownPeer = z.object({ node_id: z.string().min(1).max(128), addresses: z.array(z.string().max(512)).max(64) });
export type KnownPeer = z.infer<typeof KnownPeer>;

/**
 * Sent both ways when two peers connect. `peers` (the sender's live members) lets a newcomer that
 * reached one seed connect to everyone at once: gossip is not forwarded from peer to peer (no mesh,
 * src/transport/libp2p/node.ts), so heartbeats only reach peers connected to their author.
 */
export const HelloFrame = z.object({
  type: z.literal('member.hello'),
  member: MemberInfo,
  peers: z.array(KnownPeer).max(4_096).optional(),
  /** The sender's heartbeat period now, as in HeartbeatFrame: a member met by its hello is judged by it until its first heartbeat. */
  every_ms: z.number().int().positive().max(3_600_000).optional(),
});

export type MemberStatus = 'alive' | 'suspect' | 'dead';

export interface Member extends MemberInfo {
  status: MemberStatus;
  /** When we last heard from it (ms since epoch). */
  last_seen: number;
  status_since: number;
  /** Why it is suspect: a missed heartbeat, or its connection closed. */
  suspected_for?: 'silence' | 'disconnected';
  /** Its heartbeat period as it last said (HeartbeatFrame.every_ms). */
  every_ms?: number;
}


/**
 * Members alive in `after` that were unknown or dead in `before` (new, or back from the dead; not a
 * suspect heard again): they need what the others only announce now and then.
 */
export function newlyAlive(before: readonly { node_id: string; status: MemberStatus }[], after: readonly { node_id: string; status: MemberStatus }[]): string[] {
  const known = new Set(before.filter((m) => m.status !== 'dead').map((m) => m.node_id));
  return after.filter((m) => m.status === 'alive' && !known.has(m.node_id)).map((m) => m.node_id);
}
