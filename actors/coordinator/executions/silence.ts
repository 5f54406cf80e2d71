// Generators that stopped running without failing in a way membership sees: a frozen (SIGSTOPped) peer
// keeps its connections and stays "alive", but sends no delta; a generator that stopped its own run (it
// woke from a freeze and found its share stale) says so in its final delta. Both
// have their share moved, like a dead one (a final delta marked `stopped`: see lifecycle.ts).
import type { Assignment } from '../../../src/execution/contract.js';
import type { LiveExecution } from './model.js';

import { FIRST_DELTA_MS, SILENT_MS } from '../../../src/execution/share-lease.js';

/** A generator unheard for SILENT_MS loses its share (its lease ended LEASE_MS after its last word was sent: share-lease.ts). */
export { FIRST_DELTA_MS, SILENT_MS };

const isActive = (a: Assignment) => a.state === 'assigned' || a.state === 'running';

/**
 * Whether the share of `node` may move now whatever the reason (membership calling it dead included):
 * not before SILENT_MS after its last word, when its lease has surely run out. A partition can look like
 * a death within half a second (a closed connection), while the peer still drives its share.
 */
export function leaseOver(live: LiveExecution, node: string, now: number): boolean {
  const heard = live.heard?.get(node);
  return heard === undefined || now - heard > SILENT_MS;
}

/** Since when the coordinator has been waiting to hear from `node`. */
function since(live: LiveExecution, node: string): number {
  return Math.max((live.doc.start_at ?? 0) + FIRST_DELTA_MS, live.heard?.get(node) ?? 0);
}

/** Active generators other than `self` that sent nothing for SILENT_MS while they should be sending. */
export function silentNodes(live: LiveExecution, self: string, now: number, endAt: number, done: (node: string) => boolean): string[] {
  if (live.doc.start_at === null || now >= endAt) return [];
  return live.doc.assignments.filter((a) => isActive(a) && a.node_id !== self && !done(a.node_id) && now - since(live, a.node_id) > SILENT_MS).map((a) => a.node_id);
}

/** When the next generator would turn silent (undefined: none before the end). */
export function nextSilence(live: LiveExecution, self: string, endAt: number): number | undefined {
  if (live.doc.start_at === null) return undefined;
  const times = live.doc.assignments.filter((a) => isActive(a) && a.node_id !== self).map((a) => since(live, a.node_id) + SILENT_MS + 1);
  const next = Math.min(...times);
  return Number.isFinite(next) && next < endAt ? next : undefined;
}
