// The execution lifecycle's vocabulary: its state, the events it takes and the effects it asks for.
// The state is plain data that a step never mutates; a driver applies the effects and turns their
// completions into events.
import type { McpError } from '../../../src/errors.js';
import type { ExecutionDoc, ExecutionStatus } from '../../../src/execution/contract.js';
import type { ChildOf } from '../../../src/execution/workload.js';
import type { Segment } from '../../../src/execution/segment.js';
import type { ShareVerdict } from '../../../src/execution/share-lease.js';
import type { Plan } from '../../../src/plan/index.js';
import type { AcknowledgedMode } from '../../../src/protocol/peer-messenger.js';
import type { RequestOf } from '../../../src/protocol/peer-protocol.js';
import type { ResultsDelta, SourceProgress } from '../../../src/stats/index.js';
import type { StoredDelta } from '../../../src/store/store.js';

/** Between assignment and the agreed start: enough for every generator to receive its share and warm up. */
export const START_DELAY_MS = 700;
/**
 * The lead when no other execution runs: a generator at rest has no load worker thread (about 30 MB each),
 * and boots one when its share arrives, 160-350 ms here (more on a loaded machine), before its warm-up.
 */
export const START_DELAY_AT_REST_MS = 1_500;
/** How long after the planned end we wait for final results before ending anyway. */
export const FINAL_GRACE_MS = 10_000;
/** A cancelled execution still takes late deltas this long. */
export const CANCELLED_LINGER_MS = 30_000;
/** A moved share applies this long after the decision, so every generator switches at the same moment. */
export const RESEGMENT_LEAD_MS = 50;
/** A command to a generator is retried this many times (each with this deadline) while the node lives. */
export const COMMAND_RETRIES = 5;
export const COMMAND_DEADLINE_MS = 2_000;

type CommandKind = 'task.assign' | 'task.resegment' | 'task.stop';
/** A command the coordinator sends to a generator: a kind of the peer protocol and its request. */
export type Command = { [K in CommandKind]: { kind: K; payload: RequestOf<K> } }[CommandKind];

/** A send awaiting its completion; `round` marks the first assignment of an execution. */
export interface PendingSend {
  executionId: string;
  node: string;
  command: Command;
  mode: AcknowledgedMode;
  purpose: 'round' | 'command';
  retriesLeft: number;
}

/** The first assignment of an execution: failures are gathered until every generator has answered. */
export interface Round {
  outstanding: ReadonlySet<number>;
  failed: readonly string[];
}

export interface LiveExecution {
  doc: ExecutionDoc;
  /** Per run id: which delta numbers were counted, and whether the final one was among them. */
  progress: ReadonlyMap<string, SourceProgress>;
  round?: Round;
  /** When each generator was last heard from (a delta), to find silent ones (see silence.ts). */
  heard?: ReadonlyMap<string, number>;
  /** When the next timer for this execution is due (undefined: none). */
  wakeAt?: number;
}

export type Phase = 'off' | 'gathering' | 'ready';

export interface MemberView {
  node_id: string;
  status: 'alive' | 'suspect' | 'dead';
}

export interface LifecycleState {
  self: string;
  /** 'gathering': in office but still collecting the others' replicas; it decides nothing yet. */
  phase: Phase;
  term: number;
  executions: ReadonlyMap<string, LiveExecution>;
  sends: ReadonlyMap<number, PendingSend>;
  nextSendId: number;
  /** Peers that may take new work now (alive, capable), this one included, in a stable order. */
  generators: readonly string[];
  /** Other peers as membership sees them; a node missing here is gone. */
  members: readonly MemberView[];
}

/** A workload's scenario: it runs only on these nodes, from no earlier than `startAt`. */
export interface Pin {
  nodes: readonly string[];
  startAt: number;
  childOf: ChildOf;
}

/** The pure functions the lifecycle is given (the test distributor's). */
export interface LifecycleDeps {
  split(nodes: readonly string[]): Map<string, Segment>;
  /** The lead given to an execution assigned while no other runs (START_DELAY_AT_REST_MS in a peer); START_DELAY_MS when absent. */
  restLeadMs?: number;
}

/** An unfinished execution as the store holds it after gathering, with the progress of its runs. */
export interface Resumable {
  doc: ExecutionDoc;
  progress: ReadonlyMap<string, SourceProgress>;
}

export type LifecycleEvent =
  | { type: 'office.taken'; now: number; term: number }
  | { type: 'office.left'; now: number }
  | { type: 'replicas.gathered'; now: number; term: number; executions: readonly Resumable[] }
  | { type: 'members'; now: number; generators: readonly string[]; members: readonly MemberView[] }
  /** `existing`: the store's version of this id, if any (a submission delivered twice). */
  | { type: 'submitted'; now: number; executionId: string; plan: Plan; source: unknown; existing?: ExecutionDoc; pin?: Pin }
  /** `stored`: the store's version when the execution is not live here. */
  | { type: 'cancel'; now: number; executionId: string; stored?: ExecutionDoc }
  /** `storedStatus`: the store's status when the execution is not live here. */
  | { type: 'delta'; now: number; executionId: string; from: string; task: number; delta: ResultsDelta; storedStatus?: ExecutionStatus }
  /** A generator's renewal (nothing new to report); `storedStatus` as for a delta. */
  | { type: 'renew'; now: number; executionId: string; from: string; storedStatus?: ExecutionStatus }
  | { type: 'send.acknowledged'; now: number; id: number; rttMs: number }
  /** The receiver refused for good (a stale term, a stopped execution, an invalid plan). */
  | { type: 'send.refused'; now: number; id: number; error: string }
  /** No acknowledgement within the deadline, or the node was unreachable. */
  | { type: 'send.timed-out'; now: number; id: number; error: string }
  | { type: 'timer'; now: number; key: string }
  /** The load of an execution is over before its planned end: the driver judged a stress test's steps on the merged results (src/report/execution-sections.ts). */
  | { type: 'load.stop-early'; now: number; executionId: string; reason: string }
  /**
   * The store holds an ended version of an execution this office still drives: it took it over from a
   * stale replica (it missed the end), and the end reached it since. It stops driving it.
   */
  | { type: 'ended.elsewhere'; now: number; executionId: string; status: ExecutionStatus };

export type LogLevel = 'info' | 'warn' | 'error';

export type LifecycleEffect =
  | { type: 'send'; id: number; to: string; command: Command; mode: AcknowledgedMode; deadlineMs: number }
  | { type: 'persist'; doc: ExecutionDoc }
  | { type: 'replicate'; doc: ExecutionDoc }
  /** Store the delta once, fold it into the merged results, replicate it if it was new. */
  | { type: 'record-delta'; delta: StoredDelta }
  /** The execution ended in this step: build its final report from the merged results into `doc`. */
  | { type: 'end-report'; doc: ExecutionDoc }
  | { type: 'schedule'; key: string; at: number }
  /** Pull the others' replicas into the store, then answer with `replicas.gathered`. */
  | { type: 'gather'; term: number; peers: string[] }
  | { type: 'log'; level: LogLevel; message: string; fields: Record<string, unknown> };

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: McpError };

/** The answer to a delta or a renewal: the execution's status and the verdict on the sender's share. */
export interface DeltaAck {
  status: ExecutionStatus | 'unknown';
  share: ShareVerdict;
  /** With `moved`: when the share stopped being the sender's. */
  moved_at?: number;
}

/** The answer a step gives to the request behind its event. */
export type AnswerOf<E extends LifecycleEvent> = E extends { type: 'submitted' }
  ? Outcome<void>
  : E extends { type: 'cancel' }
    ? Outcome<ExecutionStatus>
    : E extends { type: 'delta' } | { type: 'renew' }
      ? Outcome<DeltaAck>
      : undefined;

export interface LifecycleStep<A = unknown> {
  state: LifecycleState;
  effects: LifecycleEffect[];
  answer: A;
}

export function initialLifecycle(self: string): LifecycleState {
  return { self, phase: 'off', term: 0, executions: new Map(), sends: new Map(), nextSendId: 1, generators: [], members: [] };
}
