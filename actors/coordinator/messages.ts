// Messages of the coordinator actor.
import type { ElectionMessage } from './election.js';
import type { Member } from '../../src/protocol/membership.js';
import type { Plan } from '../../src/plan/index.js';
import type { ResultsDelta } from '../../src/stats/index.js';
import type { ExecutionDoc, ExecutionStatus } from '../../src/execution/contract.js';
import type { ExecutionsMessage } from './executions/messages.js';
import type { DeltaAck } from './executions/model.js';
import type { WorkloadsMessage } from './workloads/messages.js';
import type { WorkloadSubmission } from './workloads/driver.js';

/** An answer that may be an error, for replies that cross an `ask`. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface CoordinatorStatus {
  node_id: string;
  role: 'follower' | 'candidate' | 'coordinator';
  term: number;
  /** The coordinator in office as far as this peer knows. */
  coordinator: string | null;
  in_office: boolean;
}

export type CoordinatorMessage =
  | { type: 'tick' }
  | { type: 'election.inbound'; from: string; message: ElectionMessage; reply: (message: ElectionMessage | undefined) => void }
  | { type: 'election.reply'; from: string; message: ElectionMessage }
  | { type: 'members'; members: Member[] }
  | ExecutionsMessage
  | WorkloadsMessage
  | { type: 'workload.submit'; executionId: string; workload: WorkloadSubmission; reply: (outcome: Outcome<ExecutionDoc | undefined>) => void }
  | { type: 'execution.submit'; executionId: string; plan: Plan; source: unknown; reply: (outcome: Outcome<ExecutionDoc | undefined>) => void }
  | { type: 'execution.cancel'; executionId: string; reply: (outcome: Outcome<ExecutionStatus>) => void }
  | { type: 'execution.delta'; executionId: string; from: string; task: number; delta: ResultsDelta; reply: (outcome: Outcome<DeltaAck>) => void }
  | { type: 'execution.renew'; executionId: string; from: string; reply: (outcome: Outcome<DeltaAck>) => void }
  | { type: 'status.get'; reply: (status: CoordinatorStatus) => void };
