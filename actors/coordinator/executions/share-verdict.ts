// The coordinator's verdict on a generator's share, answered to each of its deltas and renewals: the
// generator drives its share only on a `held` verdict (its lease, src/execution/share-lease.ts), so
// `held` must mean that this coordinator, in office, still counts the share as that generator's.
import { FINAL_STATUSES, type ExecutionStatus } from '../../../src/execution/contract.js';
import type { ShareVerdict } from '../../../src/execution/share-lease.js';
import type { LiveExecution } from './model.js';

/** The verdict, and for a moved share when it stopped being the generator's (its later arrivals were others'). */
export interface ShareAnswer {
  share: ShareVerdict;
  moved_at?: number;
}

/** The verdict with, for a share that moved, when. */
export function shareAnswer(live: LiveExecution | undefined, storedStatus: ExecutionStatus | undefined, node: string): ShareAnswer {
  const share = shareVerdict(live, storedStatus, node);
  const movedAt = share === 'moved' ? live?.doc.assignments.find((a) => a.node_id === node)?.moved_at : undefined;
  return movedAt === undefined ? { share } : { share, moved_at: movedAt };
}

/**
 * `live`: the execution as this coordinator drives it (undefined: not live here); `storedStatus`: the
 * store's status when it is not live (undefined: never known here).
 */
export function shareVerdict(live: LiveExecution | undefined, storedStatus: ExecutionStatus | undefined, node: string): ShareVerdict {
  if (!live) return storedStatus !== undefined && FINAL_STATUSES.includes(storedStatus) ? 'ended' : 'unknown';
  const { doc } = live;
  if (FINAL_STATUSES.includes(doc.status) || doc.stopped_early !== undefined) return 'ended';
  const a = doc.assignments.find((x) => x.node_id === node);
  // A running execution without this node: its share (if it ever had one) is not its own here.
  if (!a) return doc.status === 'running' ? 'moved' : 'unknown';
  switch (a.state) {
    case 'assigned':
    case 'running':
      return 'held';
    case 'failed':
      return 'moved';
    case 'done':
    case 'cancelled':
      return 'ended';
  }
}
