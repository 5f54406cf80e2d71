// The hub's options: what the caller may give (`HubInit`), checked all at once and completed with defaults.
import { ValidationError, type Problem } from '../../src/errors.js';
import type { Transport } from '../../src/transport/transport.js';
import { DEFAULT_BACKOFF, backoffProblems, type BackoffPolicy } from './backoff.js';
import type { DeliveryReport, HubHandler, HubHandlers } from './messages.js';

/** `communication.message_timeout` (60 s) in milliseconds. */
export const DEFAULT_MESSAGE_TIMEOUT_MS = 60_000;
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 2_000;
export const DEFAULT_DEDUP_MAX = 10_000;

export interface HubInit {
  transport: Transport;
  handlers?: HubHandlers;
  /** Deadline of the retrying modes when the caller gives none. */
  messageTimeoutMs?: number;
  /** Longest wait for one attempt's ack (shortened to what is left of the deadline). */
  attemptTimeoutMs?: number;
  /** How long a handled exactly-once id is remembered. Defaults to twice the message timeout, past any retry. */
  dedupTtlMs?: number;
  dedupMax?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Uniform in [0, 1); injected so that tests get fixed backoff delays. */
  random?: () => number;
  /** Told of every finished outbound delivery (for metrics). Must not throw. */
  onDelivery?: (report: DeliveryReport) => void;
}

export interface HubOptions {
  transport: Transport;
  handlers: ReadonlyMap<string, HubHandler>;
  messageTimeoutMs: number;
  attemptTimeoutMs: number;
  dedupTtlMs: number;
  dedupMax: number;
  backoff: BackoffPolicy;
  random: () => number;
  onDelivery: (report: DeliveryReport) => void;
}

export function resolveHubOptions(init: HubInit): HubOptions {
  const messageTimeoutMs = init.messageTimeoutMs ?? DEFAULT_MESSAGE_TIMEOUT_MS;
  const options: HubOptions = {
    transport: init.transport,
    handlers: init.handlers instanceof Map ? new Map(init.handlers) : new Map(Object.entries(init.handlers ?? {})),
    messageTimeoutMs,
    attemptTimeoutMs: init.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
    dedupTtlMs: init.dedupTtlMs ?? 2 * messageTimeoutMs,
    dedupMax: init.dedupMax ?? DEFAULT_DEDUP_MAX,
    backoff: { ...DEFAULT_BACKOFF, ...init.backoff },
    random: init.random ?? Math.random,
    onDelivery: init.onDelivery ?? (() => undefined),
  };
  const problems: Problem[] = [];
  const positive = (path: keyof HubOptions) => {
    if (!((options[path] as number) > 0)) problems.push({ path, message: 'must be > 0' });
  };
  positive('messageTimeoutMs');
  positive('attemptTimeoutMs');
  positive('dedupTtlMs');
  if (!(options.dedupMax >= 1)) problems.push({ path: 'dedupMax', message: 'must be ≥ 1' });
  problems.push(...backoffProblems(options.backoff));
  if (problems.length > 0) throw new ValidationError('HUB_INVALID_OPTIONS', 'invalid messaging hub options', problems);
  return options;
}
