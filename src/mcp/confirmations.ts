// The confirmation threshold, and single-use tokens for clients that cannot elicit: a token names one
// plan exactly (its canonical JSON's hash), expires, and is spent by the call that starts the test.
import { createHash, randomBytes } from 'node:crypto';
import type { Plan } from '../plan/index.js';
import type { DryRun } from './dry-run.js';

export interface ConfirmThreshold {
  /** Ask above this many expected requests. */
  requests: number;
  /** Ask above this planned peak rate, req/s. */
  rps: number;
}

export const DEFAULT_CONFIRM: ConfirmThreshold = { requests: 100_000, rps: 1_000 };
const TOKEN_TTL_MS = 10 * 60_000;
const MAX_PENDING = 1_000;

/** Why this plan needs a person's confirmation; empty when it does not. */
export function confirmationReasons(dry: DryRun, threshold: ConfirmThreshold): string[] {
  const reasons: string[] = [];
  if (dry.expected_total_requests === null) reasons.push('a closed-model task sends as many requests as the target can answer: its volume cannot be bounded in advance');
  else if (dry.expected_total_requests > threshold.requests) reasons.push(`about ${dry.expected_total_requests} requests, above the confirmation threshold of ${threshold.requests}`);
  if (dry.peak_rps !== null && dry.peak_rps > threshold.rps) reasons.push(`a peak of ${dry.peak_rps} req/s, above the confirmation threshold of ${threshold.rps} req/s`);
  return reasons;
}

export function planDigest(plan: Plan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex');
}

export class ConfirmationTokens {
  readonly #pending = new Map<string, { digest: string; expiresAt: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  issue(plan: Plan): { token: string; expires_at: string } {
    this.#sweep();
    if (this.#pending.size >= MAX_PENDING) this.#pending.delete(this.#pending.keys().next().value!);
    const token = randomBytes(18).toString('base64url');
    const expiresAt = this.now() + TOKEN_TTL_MS;
    this.#pending.set(token, { digest: planDigest(plan), expiresAt });
    return { token, expires_at: new Date(expiresAt).toISOString() };
  }

  /** Spends the token if it was issued for this very plan and has not expired. */
  redeem(token: string, plan: Plan): 'ok' | 'unknown' | 'other_plan' {
    this.#sweep();
    const entry = this.#pending.get(token);
    if (!entry) return 'unknown';
    if (entry.digest !== planDigest(plan)) return 'other_plan';
    this.#pending.delete(token);
    return 'ok';
  }

  #sweep(): void {
    const now = this.now();
    for (const [token, entry] of this.#pending) if (entry.expiresAt <= now) this.#pending.delete(token);
  }
}
