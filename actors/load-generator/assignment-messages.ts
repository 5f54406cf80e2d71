// Messages of the assignment actor (a closed union). Requests from the coordinator arrive with a reply
// callback; completions of its own sends come back as messages, never as changes in a continuation.
import type { ExecutionStatus } from '../../src/execution/contract.js';
import type { ShareVerdict } from '../../src/execution/share-lease.js';
import type { AssignRequest, ResegmentRequest, StopRequest } from '../../src/protocol/peer-protocol.js';
import type { ResultsDelta } from '../../src/stats/index.js';

/** An answer that may be an error, for replies that cross the mailbox. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface CoordinatorRef {
  node_id: string;
  term: number;
}

export type AssignmentMessage =
  | { type: 'assign'; request: AssignRequest; reply: (outcome: Outcome<{ accepted: true }>) => void }
  | { type: 'resegment'; request: ResegmentRequest; reply: (outcome: Outcome<{ accepted: boolean }>) => void }
  | { type: 'stop'; request: StopRequest; reply: (outcome: Outcome<{ stopped: boolean }>) => void }
  /** Timer: set up the runs of an accepted assignment. */
  | { type: 'setup'; executionId: string }
  | { type: 'delta'; executionId: string; task: number; delta: ResultsDelta }
  | { type: 'run.done'; executionId: string }
  /** Timer: resend what the coordinator in office has not acknowledged; stop orphaned load. */
  | { type: 'pump' }
  | { type: 'pump.coordinator'; coordinator: CoordinatorRef | null }
  /** The answer to a delta or (key 'renew') a renewal sent at `sentAt`, with the verdict on this generator's share. */
  | { type: 'delta.acked'; executionId: string; key: string; term: number; status: ExecutionStatus | 'unknown'; share: ShareVerdict; sentAt: number; movedAt?: number }
  | { type: 'delta.failed'; executionId: string; key: string; error: unknown };
