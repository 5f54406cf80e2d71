// What each delivery mode promises, as data: the hub's sender and receiver read this table, nothing else.
import type { DeliveryMode } from './messages.js';

export interface ModePolicy {
  /** Retry failed attempts with backoff until acknowledged or the deadline passes. */
  retries: boolean;
  /** The receiver answers a repeated id from its cache instead of calling the handler again. */
  dedup: boolean;
  /** The caller waits for the ack (and gets its result); otherwise it is answered as soon as the frame is sent. */
  awaitsAck: boolean;
}

export const MODE_POLICY: Readonly<Record<DeliveryMode, ModePolicy>> = {
  'fire-and-forget': { retries: false, dedup: false, awaitsAck: false },
  'at-least-once': { retries: true, dedup: false, awaitsAck: true },
  'exactly-once': { retries: true, dedup: true, awaitsAck: true },
  // at-least-once against the caller's own deadline (`deadlineMs`), which ends in HUB_DEADLINE_EXCEEDED.
  reliable: { retries: true, dedup: false, awaitsAck: true },
};
