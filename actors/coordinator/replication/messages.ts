// Messages of the replicator actor: pushes asked for by the coordinator, inbound replicas and digests,
// and the completions of its own requests (which come back through the mailbox, never as continuations).
import type { DigestReply, DigestRequest } from '../../../src/protocol/peer-protocol.js';
import type { StoredDelta } from '../../../src/store/store.js';
import type { ExecutionDoc } from '../../../src/execution/contract.js';

/** A round compares the newest executions, or (`before` set) a page of older ones; `since` is where its digest began. */
export type Purpose = { kind: 'round'; since: number; before?: number } | { kind: 'gather'; id: number };

export type ReplicationMessage =
  | { type: 'members'; peers: string[] }
  | { type: 'doc.changed'; doc: ExecutionDoc }
  | { type: 'delta.stored'; delta: StoredDelta }
  | { type: 'flush' }
  | { type: 'round' }
  | { type: 'gather'; peers: string[]; done: () => void }
  | { type: 'gather.timeout'; id: number }
  | { type: 'pulled'; from: string; purpose: Purpose; reply: DigestReply }
  | { type: 'pull.failed'; from: string; purpose: Purpose; error: unknown }
  | { type: 'inbound.doc'; doc: ExecutionDoc; reply: (stored: boolean) => void }
  | { type: 'inbound.delta'; delta: StoredDelta; reply: (stored: boolean) => void }
  | { type: 'inbound.digest'; from: string; digest: DigestRequest; reply: (answer: DigestReply) => void };
