// Pure membership logic: a view of members and how it changes with heartbeats, departures and time.
import type { Member, MemberInfo } from '../../src/protocol/membership.js';
import type { MembershipChange } from './messages.js';

export interface LivenessTiming {
  /** Silence after which an alive member becomes suspect. */
  suspectAfterMs: number;
  /** Silence after which a member is dead. */
  deadAfterMs: number;
  /** A member whose connection closed is dead after this long unless heard from again. */
  disconnectGraceMs: number;
  /** Dead members are forgotten after this long. */
  cleanupAfterMs: number;
  /**
   * The heartbeat period the silences above are for. A member that says it beats slower (every_ms) is
   * given silences longer in proportion.
   */
  heartbeatMs?: number;
}

export interface MembershipView {
  members: Map<string, Member>;
  /** Incarnations that said goodbye: a late heartbeat of theirs must not bring them back. */
  departed: Map<string, { started_at: number; at: number }>;
}

export function emptyView(): MembershipView {
  return { members: new Map(), departed: new Map() };
}

/**
 * Membership heartbeats at rest (no load running on the peer) come this many times less often (10 s by
 * default, as the default of a seed-era tool was 30 s): each goes to every member, and every one is read,
 * checked and handled by code that, run a few times a second, V8 never optimises; with heartbeats every
 * 3 s they were a third of an idle peer's CPU among 10 (scripts/bench/idle.ts: median 2.4 % of a core
 * against 1.7 % at 10 s, in one paired run). A killed peer is still dead half a second after its
 * connections close, a newcomer is heard at once (hello), and a peer that starts load heartbeats at once
 * at full pace; a frozen one at rest is suspect after 2.5 of its periods (25 s by default) and dead after
 * 5, and a run's frozen generator is found by its silence (executions).
 */
export const REST_HEARTBEAT_FACTOR = 10;

export function timingFor(heartbeatMs: number, overrides: Partial<LivenessTiming> = {}): LivenessTiming {
  return {
    suspectAfterMs: Math.round(heartbeatMs * 2.5),
    deadAfterMs: Math.round(heartbeatMs * 5),
    disconnectGraceMs: 500,
    cleanupAfterMs: 90_000,
    heartbeatMs,
    ...overrides,
  };
}

/** How long `member` may be silent before it is suspect, and dead: longer for one that beats slower than we expect. */
export function silenceLimits(member: Pick<Member, 'every_ms'>, timing: LivenessTiming): { suspectMs: number; deadMs: number } {
  const scale = member.every_ms !== undefined && timing.heartbeatMs ? Math.max(1, member.every_ms / timing.heartbeatMs) : 1;
  return { suspectMs: Math.round(timing.suspectAfterMs * scale), deadMs: Math.round(timing.deadAfterMs * scale) };
}

/** We heard from a member (heartbeat or hello); `everyMs`: the heartbeat period it said, if it did (a hello does not). */
export function heard(view: MembershipView, info: MemberInfo, now: number, everyMs?: number): MembershipChange[] {
  const departed = view.departed.get(info.node_id);
  if (departed !== undefined) {
    if (info.started_at <= departed.started_at) return [];
    view.departed.delete(info.node_id);
  }
  const previous = view.members.get(info.node_id);
  if (previous && info.started_at < previous.started_at) return []; // a frame from an older incarnation
  const every = everyMs ?? previous?.every_ms;
  const member: Member = { ...info, status: 'alive', last_seen: now, status_since: previous?.status === 'alive' ? previous.status_since : now, ...(every !== undefined ? { every_ms: every } : {}) };
  view.members.set(info.node_id, member);
  if (!previous) return [{ kind: 'joined', member }];
  if (previous.status !== 'alive') return [{ kind: 'status', member, from: previous.status }];
  return [];
}

export function disconnected(view: MembershipView, nodeId: string, now: number): MembershipChange[] {
  const member = view.members.get(nodeId);
  if (!member || member.status !== 'alive') return [];
  return [setStatus(view, member, 'suspect', now, 'disconnected')];
}

export function left(view: MembershipView, nodeId: string, startedAt: number, now: number): MembershipChange[] {
  const member = view.members.get(nodeId);
  if (member && member.started_at > startedAt) return [];
  view.departed.set(nodeId, { started_at: startedAt, at: now });
  if (!member) return [];
  view.members.delete(nodeId);
  return [{ kind: 'left', node_id: nodeId }];
}

/** Move members along alive → suspect → dead → forgotten as time passes. */
export function tick(view: MembershipView, now: number, timing: LivenessTiming): MembershipChange[] {
  const changes: MembershipChange[] = [];
  for (const member of [...view.members.values()]) {
    const silence = now - member.last_seen;
    const { suspectMs, deadMs } = silenceLimits(member, timing);
    switch (member.status) {
      case 'alive':
        if (silence >= deadMs) changes.push(setStatus(view, member, 'dead', now));
        else if (silence >= suspectMs) changes.push(setStatus(view, member, 'suspect', now, 'silence'));
        break;
      case 'suspect':
        if (silence >= deadMs) changes.push(setStatus(view, member, 'dead', now));
        else if (member.suspected_for === 'disconnected' && now - member.status_since >= timing.disconnectGraceMs) {
          changes.push(setStatus(view, member, 'dead', now));
        }
        break;
      case 'dead':
        if (now - member.status_since >= timing.cleanupAfterMs) {
          view.members.delete(member.node_id);
          changes.push({ kind: 'removed', node_id: member.node_id });
        }
        break;
    }
  }
  for (const [id, departed] of view.departed) {
    if (now - departed.at > timing.cleanupAfterMs) view.departed.delete(id);
  }
  return changes;
}

/**
 * The earliest time at which `tick` can change the view (Infinity: never, until something is heard):
 * a driver that ticks then, and again whenever an event brings it earlier, sees every change that
 * ticking all the time would, and sleeps in between.
 */
export function nextChange(view: MembershipView, timing: LivenessTiming): number {
  let at = Infinity;
  for (const member of view.members.values()) {
    const { suspectMs, deadMs } = silenceLimits(member, timing);
    switch (member.status) {
      case 'alive':
        at = Math.min(at, member.last_seen + suspectMs);
        break;
      case 'suspect':
        at = Math.min(at, member.last_seen + deadMs);
        if (member.suspected_for === 'disconnected') at = Math.min(at, member.status_since + timing.disconnectGraceMs);
        break;
      case 'dead':
        at = Math.min(at, member.status_since + timing.cleanupAfterMs);
        break;
    }
  }
  // Departures are forgotten strictly after cleanupAfterMs.
  for (const departed of view.departed.values()) at = Math.min(at, departed.at + timing.cleanupAfterMs + 1);
  return at;
}

function setStatus(view: MembershipView, member: Member, status: Member['status'], now: number, reason?: Member['suspected_for']): MembershipChange {
  const next: Member = { ...member, status, status_since: now };
  if (reason) next.suspected_for = reason;
  else delete next.suspected_for;
  view.members.set(member.node_id, next);
  return { kind: 'status', member: next, from: member.status };
}
