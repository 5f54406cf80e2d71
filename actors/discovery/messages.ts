// Messages of the discovery actor (a closed union). The wire frames and the member view are in src/protocol/membership.ts.
import type { KnownPeer, Member, MemberInfo, MemberStatus } from '../../src/protocol/membership.js';

export type MembershipChange =
  | { kind: 'joined'; member: Member }
  | { kind: 'status'; member: Member; from: MemberStatus }
  | { kind: 'left'; node_id: string }
  | { kind: 'removed'; node_id: string };

/** Messages of the discovery actor. */
export type DiscoveryMessage =
  | { type: 'heartbeat.tick' }
  | { type: 'liveness.tick' }
  /** `everyMs`: the heartbeat period it said (heartbeats only). */
  | { type: 'member.heard'; member: MemberInfo; everyMs?: number }
  /** Load runs here (busy) or not: heartbeats at heartbeatMs while busy, at restHeartbeatMs at rest. */
  | { type: 'pace'; busy: boolean }
  /** Members another peer knows of (from its hello): connect to those this one does not know. */
  | { type: 'peers.heard'; peers: KnownPeer[] }
  | { type: 'member.left'; node_id: string; started_at: number }
  | { type: 'peer.connected'; peer: string }
  | { type: 'peer.disconnected'; peer: string }
  | { type: 'members.get'; reply: (members: Member[]) => void }
  | { type: 'leave'; reply: () => void };
