// Runs the workload reducer for the coordinator actor: applies its effects (reservations through the
// pool, child executions through the execution lifecycle's driver, writes) and hands every completion
// back through the actor's mailbox. Decides nothing itself.
import { McpError, errorMessage } from '../../../src/errors.js';
import type { ExecutionDoc, ExecutionStatus } from '../../../src/execution/contract.js';
import type { ChildOf } from '../../../src/execution/workload.js';
import type { ExecutionReplication, ExecutionResults } from '../../../src/execution/ports.js';
import { reportFor } from '../../../src/execution/view.js';
import { FINAL_STATUSES } from '../../../src/execution/contract.js';
import { validatePlan, type Plan } from '../../../src/plan/index.js';
import { emptyResults } from '../../../src/stats/index.js';
import type { Store } from '../../../src/store/store.js';
import type { Clock } from '../../../src/util/clock.js';
import type { Logger } from '../../../src/util/log.js';
import { initialWorkloads, type ChildStatus, type PlacedScenario, type WorkloadEffect, type WorkloadEvent, type WorkloadOutcome, type WorkloadsState } from './model.js';
import { workloadStep } from './reducer.js';
import type { WorkloadsMessage } from './messages.js';

export type ReserveOutcome = { ok: true } | { ok: false; reason: string };

/** What workloads need of the resource pool (through the coordinator in office, which is this peer). */
export interface WorkloadPorts {
  reserve(ask: { allocation_id: string; holder: string; pin: Record<string, Record<string, number>>; ttl_s: number }): Promise<ReserveOutcome>;
  release(allocationId: string): Promise<void>;
}

/**
 * What workloads need of the execution lifecycle: each scenario runs as a child execution pinned to its
 * nodes. The coordinator hands its executions driver, which is this.
 */
export interface ChildExecutions {
  submit(executionId: string, plan: Plan, source: unknown, pin: { nodes: readonly string[]; startAt: number; childOf: ChildOf }): { ok: true } | { ok: false; error: McpError };
  cancel(executionId: string): { ok: true } | { ok: false; error: McpError };
}

export interface WorkloadsDriverDeps {
  store: Store;
  replication: ExecutionReplication;
  results: ExecutionResults;
  executions: ChildExecutions;
  ports: WorkloadPorts;
}

export interface WorkloadsContext {
  readonly self: { tell(msg: WorkloadsMessage): boolean };
  readonly clock: Clock;
  readonly log: Logger;
}

export interface WorkloadSubmission {
  plan: Plan;
  source: unknown;
  mode: 'coordinated' | 'parallel' | 'sequential';
  strategy: string;
  scenarios: PlacedScenario[];
}

export class WorkloadsDriver {
  state: WorkloadsState;
  readonly #d: WorkloadsDriverDeps;
  readonly #ctx: WorkloadsContext;

  constructor(self: string, deps: WorkloadsDriverDeps, ctx: WorkloadsContext) {
    this.state = initialWorkloads(self);
    this.#d = deps;
    this.#ctx = ctx;
  }

  /** The lifecycle is ready (replicas gathered): take over the unfinished workloads. */
  ready(term: number): void {
    this.#step({ type: 'office', now: this.#now(), ready: true, term });
    const docs = this.#d.store.listExecutions(['running']).map((e) => e.doc).filter((d) => d.workload);
    const children: Record<string, ChildStatus> = {};
    for (const doc of docs) {
      for (const s of doc.workload!.scenarios) {
        const child = s.execution_id ? this.#d.store.getExecution(s.execution_id)?.doc : undefined;
        if (child) children[child.execution_id] = { status: child.status, error: child.error };
      }
    }
    this.#step({ type: 'resumed', now: this.#now(), docs, children });
  }

  left(): void {
    this.#step({ type: 'office', now: this.#now(), ready: false, term: this.state.term });
  }

  isWorkload(executionId: string): boolean {
    return this.state.workloads.has(executionId);
  }

  submit(executionId: string, w: WorkloadSubmission): WorkloadOutcome<ExecutionDoc | undefined> {
    const existing = this.#d.store.getExecution(executionId) !== undefined;
    const answer = this.#step({ type: 'submitted', now: this.#now(), executionId, ...w, existing }) as WorkloadOutcome<void>;
    if (!answer.ok) return answer;
    return { ok: true, value: this.#d.store.getExecution(executionId)?.doc };
  }

  /** Undefined when it is not a workload live here. */
  cancel(executionId: string): ExecutionStatus | undefined {
    return this.#step({ type: 'cancel', now: this.#now(), executionId }) as ExecutionStatus | undefined;
  }

  /** A child execution ended (told by the lifecycle's driver). */
  childEnded(doc: ExecutionDoc): void {
    if (!doc.child_of || !FINAL_STATUSES.includes(doc.status)) return;
    const live = this.state.workloads.get(doc.child_of.execution_id);
    const task = live?.workload?.scenarios.findIndex((s) => s.execution_id === doc.execution_id) ?? -1;
    if (task < 0) return;
    this.#step({ type: 'child.ended', now: this.#now(), executionId: doc.child_of.execution_id, task, status: doc.status, error: doc.error });
  }

  receive(msg: WorkloadsMessage): void {
    const now = this.#now();
    switch (msg.type) {
      case 'workloads.reserved':
        this.#step(msg.ok ? { type: 'reserved', now, executionId: msg.executionId, task: msg.task, ok: true } : { type: 'reserved', now, executionId: msg.executionId, task: msg.task, ok: false, reason: msg.reason });
        break;
      case 'workloads.child-ended':
        this.childEnded(msg.doc);
        break;
    }
  }

  #now(): number {
    return this.#ctx.clock.now();
  }

  #step(event: WorkloadEvent): unknown {
    let result;
    try {
      result = workloadStep(this.state, event);
    } catch (error) {
      this.#ctx.log.error('workload step failed', { event: event.type, error });
      return { ok: false, error: new McpError('INTERNAL', `workload step failed: ${errorMessage(error)}`) };
    }
    this.state = result.state;
    for (const effect of result.effects) {
      try {
        this.#apply(effect);
      } catch (error) {
        this.#ctx.log.error('workload effect failed', { effect: effect.type, error });
      }
    }
    return result.answer;
  }

  #apply(effect: WorkloadEffect): void {
    const { store, replication, executions, ports } = this.#d;
    const { log } = this.#ctx;
    switch (effect.type) {
      case 'reserve': {
        const { executionId, task } = effect;
        ports.reserve({ allocation_id: effect.allocation_id, holder: this.state.self, pin: effect.pin, ttl_s: effect.ttl_s }).then(
          (outcome) => this.#ctx.self.tell({ type: 'workloads.reserved', executionId, task, ...outcome } as WorkloadsMessage),
          (error: unknown) => this.#ctx.self.tell({ type: 'workloads.reserved', executionId, task, ok: false, reason: errorMessage(error) }),
        );
        break;
      }
      case 'release':
        ports.release(effect.allocation_id).catch((error: unknown) => log.warn('releasing a reservation failed', { allocation: effect.allocation_id, error }));
        break;
      case 'start-child': {
        const parent = this.state.workloads.get(effect.executionId);
        if (!parent) break;
        const { plan, source } = childPlan(parent, effect.task);
        const outcome = executions.submit(effect.childId, plan, source, { nodes: effect.nodes, startAt: effect.startAt, childOf: effect.childOf });
        if (!outcome.ok) this.#step({ type: 'child.refused', now: this.#now(), executionId: effect.executionId, task: effect.task, error: outcome.error.message });
        break;
      }
      case 'cancel-child': {
        const outcome = executions.cancel(effect.childId);
        if (!outcome.ok) log.warn('cancelling a scenario failed', { execution: effect.childId, error: outcome.error });
        break;
      }
      case 'write': {
        const doc = effect.ended ? { ...effect.doc, report: this.#report(effect.doc) } : effect.doc;
        store.putExecution({ execution_id: doc.execution_id, term: doc.term, version: doc.version, status: doc.status, created_at: doc.created_at, doc });
        replication.docChanged(doc);
        break;
      }
      case 'log':
        log[effect.level](effect.message, effect.fields);
        break;
    }
  }

  /** The workload's report: every scenario's merged results, each as the task it is in the plan. */
  #report(doc: ExecutionDoc) {
    return reportFor(doc, workloadResults(doc, (id) => this.#d.store.getExecution(id)?.doc, (child) => this.#d.results.results(child)), doc.finished_at ?? this.#now());
  }
}

/** Each scenario's merged results (from its child execution), in the order of the workload's tasks. */
export function workloadResults(doc: ExecutionDoc, childDoc: (id: string) => ExecutionDoc | undefined, results: (child: ExecutionDoc) => ReturnType<ExecutionResults['results']>) {
  return doc.workload!.scenarios.map((s) => {
    const child = s.execution_id ? childDoc(s.execution_id) : undefined;
    return (child && results(child)[0]) ?? emptyResults();
  });
}

/** A scenario's child execution: a plan of its one task; the source its generators validate again. */
function childPlan(parent: ExecutionDoc, task: number): { plan: Plan; source: unknown } {
  const s = parent.workload!.scenarios[task]!;
  const name = `${parent.name} / ${s.name}`;
  const raw = (parent.source as { scenarios?: { test_type?: unknown; parameters?: unknown }[] } | null)?.scenarios?.[task];
  const source = raw ? { name, tasks: [{ type: raw.test_type, parameters: raw.parameters }] } : { name, tasks: [parent.plan.tasks[task]] };
  return { plan: validatePlan(source), source };
}
