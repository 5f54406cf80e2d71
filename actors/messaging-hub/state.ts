// What the hub holds: outbound deliveries in progress, and the receiver's de-duplication memory.
import { DedupCache } from './dedup-cache.js';
import type { DeliveryMode, InboundReply, SendOutcome } from './messages.js';
import type { HubOptions } from './options.js';
import { emptyStats, type HubStats } from './stats.js';

export interface Delivery {
  readonly id: string;
  readonly to: string;
  readonly kind: string;
  readonly payload: unknown;
  readonly mode: DeliveryMode;
  readonly startedAt: number;
  readonly deadlineMs: number;
  readonly deadlineAt: number;
  readonly reply: (outcome: SendOutcome) => void;
  attempts: number;
  lastError: unknown;
}

export interface HubState {
  outbound: Map<string, Delivery>;
  /** Handled exactly-once messages, by `sender id + message id`, with their reply. */
  handled: DedupCache<unknown>;
  /** Exactly-once messages whose handler is still running, with everyone waiting for its reply. */
  running: Map<string, ((reply: InboundReply) => void)[]>;
  stats: HubStats;
}

export function initialState(options: HubOptions): HubState {
  return { outbound: new Map(), handled: new DedupCache(options.dedupTtlMs, options.dedupMax), running: new Map(), stats: emptyStats() };
}
