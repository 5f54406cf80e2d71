// The election's timing: heartbeat periods, leases and election timeouts, and what follows from them
// (the longest wait before standing, the longest lease, a peer's timeout by its rank).

export interface ElectionTiming {
  /** The coordinator's heartbeat period while busy (executions in office: generators rely on its lease). */
  heartbeatMs: number;
  /**
   * Its period at rest, when nothing relies on the lease from one moment to the next. Each heartbeat
   * grants the lease it names (`leaseMs` busy, `restLeaseMs` at rest): the follower holds it (votes for
   * nobody else) and waits that much longer before standing, and the coordinator counts the follower's
   * acknowledgement for as long.
   */
  restHeartbeatMs: number;
  /** The lease a heartbeat at rest grants: > restHeartbeatMs by the lag it tolerates, like leaseMs for heartbeatMs. */
  restLeaseMs: number;
  /**
   * A follower that hears no coordinator stands for election after
   * min + rank × rankSpacing + random × jitter, where rank is its place in the sorted electorate (capped):
   * peers rarely split the vote, and the order of succession is predictable.
   */
  electionTimeoutMinMs: number;
  electionRankSpacingMs: number;
  electionJitterMs: number;
  /**
   * A coordinator not acknowledged by a majority for this long steps down; a follower that heard the
   * coordinator within this long refuses to vote for another. Must be < electionTimeoutMinMs.
   */
  leaseMs: number;
}

const MAX_RANK = 4;

// Tolerant of event-loop lag of a few hundred ms on a peer busy generating load, yet a crashed
// coordinator is replaced within about 1.3 s (the next in rank stands 0.8 to 1.15 s after its last heartbeat).
// 150 ms, not fewer: the 700 ms lease must survive event-loop lag of a few hundred ms (a slower heartbeat
// was tried: under lag the coordinator lost its quorum lease, stopped acknowledging deltas, and generators
// stopped their runs; see docs/scale.md for what this costs as the cluster grows).
// At rest, 550 ms with a lease of 1,100 ms: less than a third of the messages of an idle cluster's
// election at full pace (the coordinator's heartbeats and the acknowledgements are most of what it
// sends); a 550 ms lag still renews the lease, a follower that misses one heartbeat does not stand, a
// crashed coordinator is still replaced within 2 s (the next in rank stands 1.2 to 1.55 s after its last
// heartbeat), and becoming busy heartbeats at once with the short lease.
export const DEFAULT_ELECTION_TIMING: ElectionTiming = {
  heartbeatMs: 150,
  restHeartbeatMs: 550,
  restLeaseMs: 1_100,
  electionTimeoutMinMs: 800,
  // Jitter below the rank spacing: consecutive ranks never stand at the same moment.
  electionRankSpacingMs: 250,
  electionJitterMs: 100,
  leaseMs: 700,
};

/** The longest a follower waits for a coordinator before standing (after a heartbeat at rest, the longer lease). */
export function maxElectionTimeout(timing: ElectionTiming): number {
  return timing.electionTimeoutMinMs + restExtension(timing) + MAX_RANK * timing.electionRankSpacingMs + timing.electionJitterMs;
}

/** The longest lease a heartbeat grants. */
export function maxLease(timing: ElectionTiming): number {
  return Math.max(timing.leaseMs, timing.restLeaseMs);
}

/** How much longer than after a busy heartbeat a follower waits after one at rest. */
function restExtension(timing: ElectionTiming): number {
  return maxLease(timing) - timing.leaseMs;
}

/** The lease a heartbeat or its acknowledgement names: the short one when absent (a peer of an earlier version), never more than the longest. */
export function grantedLease(message: { leaseMs?: number | undefined }, timing: ElectionTiming): number {
  return Math.min(message.leaseMs ?? timing.leaseMs, maxLease(timing));
}

/** How long a coordinator whose lease lapsed keeps asking before it steps down (it acts on nothing meanwhile). */
export function lapseGrace(timing: ElectionTiming): number {
  return timing.leaseMs;
}

/** When a follower stands: min + rank × spacing + jitter (rank: its place in the sorted electorate, capped). */
export function electionTimeout(state: { self: string; electorate: readonly string[] }, timing: ElectionTiming, random: () => number): number {
  const rank = Math.min(MAX_RANK, Math.max(0, state.electorate.indexOf(state.self)));
  return timing.electionTimeoutMinMs + rank * timing.electionRankSpacingMs + Math.floor(random() * timing.electionJitterMs);
}

