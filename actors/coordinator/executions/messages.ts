// What the executions driver tells its owner's mailbox: completions of its sends, its timers, and the
// end of gathering replicas. Each becomes a lifecycle event when the owner hands it back.

export type ExecutionsMessage =
  | { type: 'executions.sent'; id: number; outcome: 'acknowledged' | 'refused' | 'timed-out'; rttMs: number; error: string }
  | { type: 'executions.timer'; key: string }
  | { type: 'executions.gathered'; term: number };
