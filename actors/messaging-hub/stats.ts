// Counters of the hub, per delivery mode. Outbound counts are the sender's; `duplicatesSuppressed` is the receiver's.
import { DELIVERY_MODES, type DeliveryMode } from '../../src/messaging.js';

export interface ModeStats {
  /** Messages the hub accepted to send. */
  sent: number;
  /** Messages acknowledged by the receiver. */
  delivered: number;
  /** Attempts after the first. */
  retried: number;
  /** Messages that ended without an ack (including fire-and-forget ones, which the caller is not told of). */
  failed: number;
  /** Inbound duplicates answered from the de-duplication cache without calling the handler. */
  duplicatesSuppressed: number;
}

export interface HubStats {
  /** Outbound messages still waiting for an ack. */
  pending: number;
  modes: Record<DeliveryMode, ModeStats>;
}

export type Counter = keyof ModeStats;

export function emptyStats(): HubStats {
  const modes = {} as Record<DeliveryMode, ModeStats>;
  for (const mode of DELIVERY_MODES) modes[mode] = { sent: 0, delivered: 0, retried: 0, failed: 0, duplicatesSuppressed: 0 };
  return { pending: 0, modes };
}

export function count(stats: HubStats, mode: DeliveryMode, counter: Counter): void {
  stats.modes[mode][counter]++;
}

/** A copy the caller may keep: the hub's own counters keep moving. */
export function snapshot(stats: HubStats, pending: number): HubStats {
  const modes = {} as Record<DeliveryMode, ModeStats>;
  for (const mode of DELIVERY_MODES) modes[mode] = { ...stats.modes[mode] };
  return { pending, modes };
}
