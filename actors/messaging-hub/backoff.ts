// Retry delays: exponential from `initialMs`, capped at `maxMs`, with jitter so that senders that
// failed in the same outage do not all retry in the same instant.
import type { Problem } from '../../src/errors.js';

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** Growth per failed attempt. */
  factor: number;
  /** Share of each delay that is random, 0 to 1: the delay falls in [(1 - jitter) × base, base]. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 50, maxMs: 2_000, factor: 2, jitter: 0.5 };

/** Delay before the next attempt, after `failedAttempts` (≥ 1) failed; `random` is uniform in [0, 1). */
export function backoffDelay(failedAttempts: number, policy: BackoffPolicy, random: number): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, failedAttempts - 1));
  return Math.round(base * (1 - policy.jitter * random));
}

/** Every problem with a policy, at once. */
export function backoffProblems(policy: BackoffPolicy, path = 'backoff'): Problem[] {
  const problems: Problem[] = [];
  if (!(policy.initialMs > 0)) problems.push({ path: `${path}.initialMs`, message: 'must be > 0' });
  if (!(policy.maxMs >= policy.initialMs)) problems.push({ path: `${path}.maxMs`, message: 'must be ≥ initialMs' });
  if (!(policy.factor >= 1)) problems.push({ path: `${path}.factor`, message: 'must be ≥ 1' });
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) problems.push({ path: `${path}.jitter`, message: 'must be between 0 and 1' });
  return problems;
}
