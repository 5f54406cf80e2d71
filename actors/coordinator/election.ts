// Coordinator election, as pure logic: (state, event) → (state, effects). Raft's election without a log:
// terms only grow, one vote per term (persisted), a majority of the electorate elects, and a
// coordinator acts only while a majority has acknowledged it within the lease (check-quorum). A peer
// stands only after a pre-vote that a majority granted, so one that was partitioned or frozen cannot
// raise the term and depose a coordinator that the others still hear.
import type { ElectionMessage } from '../../src/protocol/election.js';
import type { DurableElectionState } from '../../src/store/election-state.js';
import { DEFAULT_ELECTION_TIMING, electionTimeout, grantedLease, lapseGrace, maxElectionTimeout, maxLease, type ElectionTiming } from './election-timing.js';

export { DEFAULT_ELECTION_TIMING, lapseGrace, maxElectionTimeout, maxLease, type ElectionTiming };

export type Role = 'follower' | 'candidate' | 'coordinator';


/** What must survive a restart, or a peer could vote twice in one term. */
export type { DurableElectionState };

export interface ElectionState extends DurableElectionState {
  self: string;
  role: Role;
  /** The coordinator of `term`, when known. */
  coordinator: string | null;
  electorate: readonly string[];
  votes: ReadonlySet<string>;
  /** Coordinator only: until when each peer's acknowledgement of this term holds (its heartbeat's send time + the lease it granted). */
  acks: ReadonlyMap<string, number>;
  electionDeadline: number;
  nextHeartbeat: number;
  /** Candidate only: when the vote requests went out (votes count as acknowledgements from then). */
  campaignStartedAt: number;
  /** Follower: when the coordinator of this term was last heard. */
  heardCoordinatorAt: number;
  /**
   * Follower: until when the leases it was granted hold (it votes for nobody else before). Only grows
   * within a term: a short lease after a long one does not shorten what the coordinator may count on.
   */
  leaseHeldUntil: number;
  /** A pre-vote under way: the term we would stand in, and who would vote for us. */
  prevote: { term: number; votes: ReadonlySet<string> } | null;
  /** Coordinator only: when its lease lapsed, while it asks its followers once more before stepping down. */
  lapsedAt: number | null;
  /** Whether anything relies on the lease now (executions in office): heartbeats at heartbeatMs, else at restHeartbeatMs. */
  busy: boolean;
}

export type { ElectionMessage };

export type ElectionEvent =
  | { type: 'tick'; now: number }
  | { type: 'receive'; now: number; from: string; message: ElectionMessage }
  | { type: 'electorate'; now: number; members: readonly string[] }
  | { type: 'pace'; now: number; busy: boolean };

export type ElectionEffect =
  | { type: 'send'; to: string; message: ElectionMessage }
  | { type: 'persist'; state: DurableElectionState }
  | { type: 'role'; role: Role; term: number; coordinator: string | null };

export interface ElectionStep {
  state: ElectionState;
  effects: ElectionEffect[];
}

/** A random number in [0, 1): injected so simulations are reproducible. */
export type Random = () => number;

export function majority(electorate: readonly string[]): number {
  return Math.floor(electorate.length / 2) + 1;
}

export function initialState(self: string, durable: DurableElectionState, electorate: readonly string[], now: number, timing: ElectionTiming, random: Random): ElectionState {
  const members = withSelf(self, electorate);
  return {
    self,
    term: durable.term,
    votedFor: durable.votedFor,
    role: 'follower',
    coordinator: null,
    electorate: members,
    votes: new Set(),
    acks: new Map(),
    electionDeadline: now + electionTimeout({ self, electorate: members }, timing, random),
    nextHeartbeat: 0,
    campaignStartedAt: 0,
    // A peer that just (re)started may have acknowledged a coordinator's lease before: it grants no
    // vote within a lease of starting, as if it had just heard from that coordinator.
    heardCoordinatorAt: now,
    leaseHeldUntil: now + maxLease(timing),
    prevote: null,
    lapsedAt: null,
    busy: false,
  };
}

/** True when this peer may act as coordinator now: in office, and a majority acknowledged it within the lease. */
export function inOffice(state: ElectionState, now: number): boolean {
  if (state.role !== 'coordinator') return false;
  return acknowledgedBy(state, now) >= majority(state.electorate);
}

export function step(state: ElectionState, event: ElectionEvent, timing: ElectionTiming, random: Random): ElectionStep {
  const effects: ElectionEffect[] = [];
  let next = state;
  switch (event.type) {
    case 'electorate':
      next = { ...state, electorate: withSelf(state.self, event.members) };
      break;
    case 'pace':
      if (event.busy === state.busy) break;
      // Becoming busy, a coordinator heartbeats at the next tick: the lease it will be relied on is fresh.
      next = { ...state, busy: event.busy, nextHeartbeat: event.busy && state.role === 'coordinator' ? Math.min(state.nextHeartbeat, event.now) : state.nextHeartbeat };
      break;
    case 'tick':
      next = onTick(state, event.now, timing, random, effects);
      break;
    case 'receive':
      next = onReceive(state, event.now, event.from, event.message, timing, random, effects);
      break;
  }
  if (next.role !== state.role || next.term !== state.term || next.coordinator !== state.coordinator) {
    effects.push({ type: 'role', role: next.role, term: next.term, coordinator: next.coordinator });
  }
  return { state: next, effects };
}

function onTick(state: ElectionState, now: number, timing: ElectionTiming, random: Random, effects: ElectionEffect[]): ElectionState {
  if (state.role === 'coordinator') {
    if (acknowledgedBy(state, now) < majority(state.electorate)) {
      // The lease lapsed: it acts no more (inOffice is false). Yet a coordinator whose own event loop
      // stalled past the lease (a loaded host: stalls of 0.5 s were measured) sent no heartbeat meanwhile,
      // and after a stall the timers run before the acknowledgements already read from the network: its
      // acks are stale through no fault of the others. So it asks once more at once and steps down only
      // if a majority stays silent for lapseGrace (a lease more); a newer term in any answer demotes it sooner. The
      // followers' side is untouched: they stand when they stop hearing it, as before.
      if (state.lapsedAt === null) return heartbeat({ ...state, lapsedAt: now }, now, timing, effects);
      if (now - state.lapsedAt >= lapseGrace(timing)) {
        // Lost the majority (partition, or the others are gone): let an election decide.
        return { ...state, role: 'follower', coordinator: null, lapsedAt: null, electionDeadline: now + electionTimeout(state, timing, random) };
      }
    } else if (state.lapsedAt !== null) {
      state = { ...state, lapsedAt: null };
    }
    if (now >= state.nextHeartbeat) return heartbeat(state, now, timing, effects);
    return state;
  }
  if (now < state.electionDeadline) return state;
  // Ask first whether a majority would vote for us in the next term; our own term does not change yet.
  const prevote = { term: state.term + 1, votes: new Set([state.self]) };
  const asking: ElectionState = { ...state, prevote, electionDeadline: now + electionTimeout(state, timing, random) };
  for (const peer of others(asking)) effects.push({ type: 'send', to: peer, message: { type: 'prevote.request', term: prevote.term, candidate: state.self } });
  return prevote.votes.size >= majority(state.electorate) ? stand(asking, now, timing, random, effects) : asking;
}

/** Stand for election in the next term, voting for ourselves. */
function stand(state: ElectionState, now: number, timing: ElectionTiming, random: Random, effects: ElectionEffect[]): ElectionState {
  const term = state.term + 1;
  effects.push({ type: 'persist', state: { term, votedFor: state.self } });
  const candidate: ElectionState = {
    ...state,
    term,
    votedFor: state.self,
    role: 'candidate',
    coordinator: null,
    votes: new Set([state.self]),
    prevote: null,
    electionDeadline: now + electionTimeout(state, timing, random),
    campaignStartedAt: now,
  };
  for (const peer of others(candidate)) effects.push({ type: 'send', to: peer, message: { type: 'vote.request', term, candidate: state.self } });
  return maybeWin(candidate, now, timing, effects);
}

function onReceive(
  state: ElectionState,
  now: number,
  from: string,
  message: ElectionMessage,
  timing: ElectionTiming,
  random: Random,
  effects: ElectionEffect[],
): ElectionState {
  let s = state;
  // Pre-votes change nothing on the receiving side, and their term is only a proposal.
  if (message.type === 'prevote.request') {
    const granted = message.term > s.term && !hasLiveCoordinator(s, now);
    effects.push({ type: 'send', to: from, message: { type: 'prevote.reply', term: message.term, granted, voter: s.self } });
    return s;
  }
  if (message.type === 'prevote.reply') {
    if (!s.prevote || message.term !== s.prevote.term || !message.granted || !s.electorate.includes(message.voter)) return s;
    s = { ...s, prevote: { term: s.prevote.term, votes: new Set([...s.prevote.votes, message.voter]) } };
    return s.prevote!.votes.size >= majority(s.electorate) ? stand(s, now, timing, random, effects) : s;
  }
  if (message.type === 'vote.request' && message.term > s.term && hasLiveCoordinator(s, now)) {
    // Leader stickiness: while a coordinator is live, a candidate cannot unseat it (nor start a term that
    // would overlap the coordinator's lease). The candidate hears our lower term and keeps trying.
    effects.push({ type: 'send', to: from, message: { type: 'vote.reply', term: s.term, granted: false, voter: s.self } });
    return s;
  }
  if (message.term > s.term) {
    // A newer term: whatever we were, we follow now.
    s = { ...s, term: message.term, votedFor: null, role: 'follower', coordinator: null, votes: new Set(), acks: new Map(), prevote: null, lapsedAt: null };
    effects.push({ type: 'persist', state: { term: s.term, votedFor: null } });
  }
  switch (message.type) {
    case 'vote.request': {
      const granted = message.term === s.term && (s.votedFor === null || s.votedFor === message.candidate) && s.role !== 'coordinator';
      if (granted && s.votedFor === null) {
        // The candidate counts this vote as an acknowledgement of its lease (maybeWin): we hold that lease
        // as we would one a heartbeat granted, so no other candidate gets our vote (or pre-vote) before it
        // ends, even if the winner's first heartbeat never reaches us.
        s = { ...s, votedFor: message.candidate, leaseHeldUntil: Math.max(s.leaseHeldUntil, now + timing.leaseMs), electionDeadline: now + electionTimeout(state, timing, random) };
        effects.push({ type: 'persist', state: { term: s.term, votedFor: s.votedFor } });
      }
      effects.push({ type: 'send', to: from, message: { type: 'vote.reply', term: s.term, granted, voter: s.self } });
      return s;
    }
    case 'vote.reply': {
      if (s.role !== 'candidate' || message.term !== s.term || !message.granted || !s.electorate.includes(message.voter)) return s;
      s = { ...s, votes: new Set([...s.votes, message.voter]) };
      return maybeWin(s, now, timing, effects);
    }
    case 'coordinator.heartbeat': {
      if (message.term < s.term) {
        effects.push({ type: 'send', to: from, message: { type: 'coordinator.ack', term: s.term, from: s.self, ok: false, sentAt: message.sentAt } });
        return s;
      }
      // Same term: there is one coordinator per term, so this is it.
      const leaseMs = grantedLease(message, timing);
      const leaseHeldUntil = Math.max(s.leaseHeldUntil, now + leaseMs);
      s = {
        ...s,
        role: 'follower',
        coordinator: message.coordinator,
        votes: new Set(),
        prevote: null,
        heardCoordinatorAt: now,
        leaseHeldUntil,
        // Stand only once the lease is over, by as much as after a busy heartbeat.
        electionDeadline: leaseHeldUntil - timing.leaseMs + electionTimeout(state, timing, random),
      };
      effects.push({ type: 'send', to: from, message: { type: 'coordinator.ack', term: s.term, from: s.self, ok: true, sentAt: message.sentAt, leaseMs } });
      return s;
    }
    case 'coordinator.ack': {
      if (s.role !== 'coordinator' || message.term !== s.term || !message.ok) return s;
      const acks = new Map(s.acks);
      // Acks count for the peer that sent them, from the heartbeat's sending (never from the future), for the lease it granted.
      acks.set(from, Math.max(acks.get(from) ?? 0, Math.min(message.sentAt, now) + grantedLease(message, timing)));
      return { ...s, acks };
    }
  }
}

function maybeWin(state: ElectionState, now: number, timing: ElectionTiming, effects: ElectionEffect[]): ElectionState {
  if (state.votes.size < majority(state.electorate)) return state;
  // Votes count as the first acknowledgements of the lease, from when they were asked for.
  const acks = new Map<string, number>();
  for (const voter of state.votes) acks.set(voter, state.campaignStartedAt + timing.leaseMs);
  const elected: ElectionState = { ...state, role: 'coordinator', coordinator: state.self, acks, lapsedAt: null, nextHeartbeat: now + heartbeatPeriod(state, timing) };
  sendHeartbeats(elected, now, timing, effects);
  return elected;
}

function heartbeat(state: ElectionState, now: number, timing: ElectionTiming, effects: ElectionEffect[]): ElectionState {
  sendHeartbeats(state, now, timing, effects);
  return { ...state, nextHeartbeat: now + heartbeatPeriod(state, timing) };
}

function sendHeartbeats(state: ElectionState, now: number, timing: ElectionTiming, effects: ElectionEffect[]): void {
  const leaseMs = state.busy ? timing.leaseMs : timing.restLeaseMs;
  for (const peer of others(state)) effects.push({ type: 'send', to: peer, message: { type: 'coordinator.heartbeat', term: state.term, coordinator: state.self, sentAt: now, leaseMs } });
}

function heartbeatPeriod(state: Pick<ElectionState, 'busy'>, timing: ElectionTiming): number {
  return state.busy ? timing.heartbeatMs : timing.restHeartbeatMs;
}

/**
 * The earliest time at which a tick can change `state` or have effects: a driver that ticks then (and
 * after every other event, if this moved earlier) behaves exactly as one that ticks all the time, and
 * sleeps in between. A time <= now means at once. A coordinator wakes for its next heartbeat, for the
 * moment its lease would lapse, and while lapsed for the end of its grace; a follower or candidate for
 * its election deadline.
 */
export function nextTick(state: ElectionState, now: number, timing: ElectionTiming): number {
  if (state.role !== 'coordinator') return state.electionDeadline;
  const lapsed = acknowledgedBy(state, now) < majority(state.electorate);
  // Lapsed without having asked once more, or acknowledged again while marked lapsed: the tick acts now.
  if (lapsed === (state.lapsedAt === null)) return now;
  if (lapsed) return Math.min(state.nextHeartbeat, state.lapsedAt! + lapseGrace(timing));
  return Math.min(state.nextHeartbeat, leaseEnd(state, now));
}

/** When acknowledgements of a coordinator in office stop making a majority, as time passes with no new ones. */
function leaseEnd(state: ElectionState, now: number): number {
  const valid: number[] = [];
  for (const [peer, until] of state.acks) if (now <= until && peer !== state.self && isVoter(state, peer)) valid.push(until);
  const needed = majority(state.electorate) - 1; // besides ourselves
  if (needed <= 0) return Infinity;
  valid.sort((a, b) => b - a);
  // The `needed`-th longest-holding acknowledgement is the last to keep the majority; it lapses just after.
  return valid[needed - 1]! + 1;
}

function hasLiveCoordinator(state: ElectionState, now: number): boolean {
  if (state.role === 'coordinator') return inOffice(state, now);
  // A coordinator heard within its lease, or a candidate we voted for in this term (its lease counts our vote).
  const promised = state.coordinator !== null || (state.votedFor !== null && state.votedFor !== state.self);
  return promised && now < state.leaseHeldUntil;
}

function acknowledgedBy(state: ElectionState, now: number): number {
  let count = 1; // ourselves
  for (const [peer, until] of state.acks) if (now <= until && peer !== state.self && isVoter(state, peer)) count++;
  return count;
}

/**
 * The electorate as a set, made once per electorate (it is replaced, never changed): a coordinator counts
 * its acknowledgements after every message it handles, and a scan of the list for each one made that
 * quadratic in the cluster's size.
 */
const voters = new WeakMap<readonly string[], ReadonlySet<string>>();
function isVoter(state: ElectionState, peer: string): boolean {
  let set = voters.get(state.electorate);
  if (set === undefined) voters.set(state.electorate, (set = new Set(state.electorate)));
  return set.has(peer);
}

function others(state: ElectionState): string[] {
  return state.electorate.filter((p) => p !== state.self);
}

function withSelf(self: string, members: readonly string[]): string[] {
  return [...new Set([self, ...members])].sort();
}

