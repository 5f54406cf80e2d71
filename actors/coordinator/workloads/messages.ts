// What the workloads driver tells its owner's mailbox: reservations decided, children ended.
import type { ExecutionDoc } from '../../../src/execution/contract.js';

export type WorkloadsMessage =
  | { type: 'workloads.reserved'; executionId: string; task: number; ok: true }
  | { type: 'workloads.reserved'; executionId: string; task: number; ok: false; reason: string }
  | { type: 'workloads.child-ended'; doc: ExecutionDoc };
