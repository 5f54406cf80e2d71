// Messages of the resource-pool actor.
import type { AllocationOutcome, PoolReplica } from '../../src/resources.js';
import type { Waiting } from './pool.js';

/** `waiting`: not decided yet, ask again; `not_in_office`: ask the coordinator in office. */
export type AllocateReply = AllocationOutcome | { waiting: true } | { not_in_office: true };

export interface PoolStatusView {
  capacity: Record<string, Record<string, number>>;
  replica: PoolReplica;
  in_office: boolean;
}

export type ResourcePoolMessage =
  | { type: 'tick' }
  | { type: 'cleanup' }
  | { type: 'replicate.flush' }
  | { type: 'office'; inOffice: boolean; term: number }
  | { type: 'takeover'; term: number; replicas: PoolReplica[] }
  | { type: 'capacity.heard'; node: string; capacity: Record<string, number> }
  | { type: 'announce' }
  | { type: 'members'; members: { node_id: string; status: 'alive' | 'suspect' | 'dead' }[] }
  | { type: 'allocate'; request: Omit<Waiting, 'enqueued_at' | 'order'>; reply: (r: AllocateReply) => void }
  | { type: 'release'; allocation_id: string; reply: (released: boolean | 'not_in_office') => void }
  | { type: 'replica'; replica: PoolReplica }
  | { type: 'replica.get'; reply: (r: PoolReplica) => void }
  | { type: 'status.get'; reply: (s: PoolStatusView) => void };
