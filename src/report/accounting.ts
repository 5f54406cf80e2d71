// The shape of a run's accounting in a report, and how tasks' accountings add up. How it is computed
// from an execution's schedule is src/execution/accounting.ts.

export interface RunAccount {
  task: number;
  node: string;
  sent: number;
  dropped: number;
  scheduled: number;
  unaccounted: number;
  /** Of `dropped`: arrivals of a share its generator heard of only after they were due (never sent). */
  late?: number;
  /** Why the run has unaccounted requests. */
  reason?: string;
}

export interface Accounting {
  scheduled: number;
  unaccounted: number;
  /** At most this many of the unaccounted requests reached the target. */
  unaccounted_max: number;
  /**
   * Arrivals of shares their generators heard of only after they were due (a share moved to a peer whose
   * run had ended): never sent, so dropped; the runs' reports do not count them, the summary does.
   */
  late: number;
  /** Runs with unaccounted requests. */
  runs: RunAccount[];
}

/** Every task's accounting added. */
export function combineAccounting(parts: readonly Accounting[]): Accounting {
  return {
    scheduled: parts.reduce((s, p) => s + p.scheduled, 0),
    unaccounted: parts.reduce((s, p) => s + p.unaccounted, 0),
    unaccounted_max: parts.reduce((s, p) => s + p.unaccounted_max, 0),
    late: parts.reduce((s, p) => s + p.late, 0),
    runs: parts.flatMap((p) => p.runs),
  };
}
