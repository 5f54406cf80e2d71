// Runs the execution lifecycle for the coordinator actor: turns requests into events, applies the
// effects, and hands every completion back as a message to the actor's own mailbox, so that the state
// changes only in the actor's turn. Decides nothing itself.
import { McpError, errorMessage } from '../../../src/errors.js';
import { isFinalFailure } from '../../../src/messaging.js';
import type { PeerMessenger } from '../../../src/protocol/peer-messenger.js';
import type { ExecutionReplication, ExecutionResults } from '../../../src/execution/ports.js';
import type { Plan } from '../../../src/plan/index.js';
import type { LoadResults, ResultsDelta, SourceProgress } from '../../../src/stats/index.js';
import type { Store } from '../../../src/store/store.js';
import type { Clock } from '../../../src/util/clock.js';
import type { Logger } from '../../../src/util/log.js';
import { FINAL_STATUSES, type ExecutionDoc, type ExecutionStatus } from '../../../src/execution/contract.js';
import type { Saturation } from '../../../src/health.js';
import { stressStopReason } from '../../../src/report/execution-sections.js';
import { isLive, step, worthResuming } from './lifecycle.js';
import { withSaturation } from '../../../src/report/saturation.js';
import type { ExecutionsMessage } from './messages.js';
import { initialLifecycle, type AnswerOf, type LifecycleStep, type DeltaAck, type LifecycleDeps, type LifecycleEffect, type LifecycleEvent, type LifecycleState, type MemberView, type Outcome, type Pin, type Resumable } from './model.js';

export interface ExecutionsPorts {
  store: Store;
  messenger: PeerMessenger;
  replication: ExecutionReplication;
  results: ExecutionResults;
  split: LifecycleDeps['split'];
  /** See LifecycleDeps. */
  restLeadMs?: number;
  /** How saturated a generator was over a window (the node monitor's flag), when a monitor runs. */
  saturation?: (node: string, from: number, to: number) => Saturation;
}

/** What the driver needs of the actor that owns it. */
export interface DriverContext {
  readonly self: { tell(msg: ExecutionsMessage): boolean };
  readonly clock: Clock;
  readonly log: Logger;
  startTimer(key: string, ms: number, msg: ExecutionsMessage): void;
}

export class ExecutionsDriver {
  state: LifecycleState;
  /** Told of every execution that ended (with its final report), after the step that ended it. */
  onEnded: (doc: ExecutionDoc) => void = () => undefined;
  /** Told when this office is ready to decide (replicas gathered and resumed). */
  onReady: () => void = () => undefined;
  readonly #p: ExecutionsPorts;
  readonly #ctx: DriverContext;

  constructor(self: string, ports: ExecutionsPorts, ctx: DriverContext) {
    this.state = initialLifecycle(self);
    this.#p = ports;
    this.#ctx = ctx;
  }

  get inOffice(): boolean {
    return this.state.phase !== 'off';
  }

  /** In office with executions live or being gathered: generators rely on the lease from moment to moment. */
  get busy(): boolean {
    return this.state.phase === 'gathering' || (this.state.phase === 'ready' && this.state.executions.size > 0);
  }

  tookOffice(term: number): void {
    this.#step({ type: 'office.taken', now: this.#now(), term });
  }

  leftOffice(): void {
    this.#step({ type: 'office.left', now: this.#now() });
  }

  members(generators: readonly string[], members: readonly MemberView[]): void {
    for (const id of [...this.state.executions.keys()]) this.#endedElsewhere(id);
    this.#step({ type: 'members', now: this.#now(), generators, members });
  }

  submit(executionId: string, plan: Plan, source: unknown, pin?: Pin): Outcome<ExecutionDoc | undefined> {
    const existing = this.#p.store.getExecution(executionId)?.doc;
    const answer = this.#step({ type: 'submitted', now: this.#now(), executionId, plan, source, ...(existing ? { existing } : {}), ...(pin ? { pin } : {}) });
    if (!answer.ok) return answer;
    return { ok: true, value: this.#p.store.getExecution(executionId)?.doc };
  }

  cancel(executionId: string): Outcome<ExecutionStatus> {
    this.#endedElsewhere(executionId);
    const stored = isLive(this.state, executionId) ? undefined : this.#p.store.getExecution(executionId)?.doc;
    return this.#step({ type: 'cancel', now: this.#now(), executionId, ...(stored ? { stored } : {}) });
  }

  delta(executionId: string, from: string, task: number, delta: ResultsDelta): Outcome<DeltaAck> {
    this.#endedElsewhere(executionId);
    const storedStatus = isLive(this.state, executionId) ? undefined : (this.#p.store.getExecution(executionId)?.status as ExecutionStatus | undefined);
    const answer = this.#step({ type: 'delta', now: this.#now(), executionId, from, task, delta, ...(storedStatus ? { storedStatus } : {}) });
    this.#judgeStress(executionId);
    return answer;
  }

  renew(executionId: string, from: string): Outcome<DeltaAck> {
    this.#endedElsewhere(executionId);
    const storedStatus = isLive(this.state, executionId) ? undefined : (this.#p.store.getExecution(executionId)?.status as ExecutionStatus | undefined);
    return this.#step({ type: 'renew', now: this.#now(), executionId, from, ...(storedStatus ? { storedStatus } : {}) });
  }

  /** A stress test's steps judged on the merged results of every generator (a pure function); a broken one ends its load. */
  #judgeStress(executionId: string): void {
    const live = this.state.executions.get(executionId);
    if (!live || live.doc.stopped_early !== undefined || live.doc.status !== 'running' || live.doc.start_at === null) return;
    if (!live.doc.plan.tasks.some((t) => t.type === 'stress_test')) return;
    const now = this.#now();
    const startAt = live.doc.start_at;
    const nodes = live.doc.assignments.map((a) => a.node_id);
    const monitor = this.#p.saturation;
    const saturated = monitor ? (fromS: number, toS: number) => nodes.some((n) => monitor(n, startAt + fromS * 1000, startAt + toS * 1000).saturated) : undefined;
    const reason = stressStopReason(live.doc.plan, this.#p.results.results(live.doc), (now - startAt) / 1000, saturated);
    if (reason !== undefined) this.#step({ type: 'load.stop-early', now, executionId, reason });
  }

  receive(msg: ExecutionsMessage): void {
    const now = this.#now();
    switch (msg.type) {
      case 'executions.sent':
        if (msg.outcome === 'acknowledged') this.#step({ type: 'send.acknowledged', now, id: msg.id, rttMs: msg.rttMs });
        else if (msg.outcome === 'refused') this.#step({ type: 'send.refused', now, id: msg.id, error: msg.error });
        else this.#step({ type: 'send.timed-out', now, id: msg.id, error: msg.error });
        break;
      case 'executions.timer':
        this.#endedElsewhere(msg.key);
        this.#step({ type: 'timer', now, key: msg.key });
        break;
      case 'executions.gathered':
        this.#step({ type: 'replicas.gathered', now, term: msg.term, executions: this.#resumable(now) });
        break;
    }
  }

  /** A live execution whose stored version has ended (its end reached this peer after it took it over) stops being driven. */
  #endedElsewhere(executionId: string): void {
    const live = this.state.executions.get(executionId);
    if (!live || FINAL_STATUSES.includes(live.doc.status)) return;
    const status = this.#p.store.head(executionId)?.status as ExecutionStatus | undefined;
    if (status !== undefined && FINAL_STATUSES.includes(status)) this.#step({ type: 'ended.elsewhere', now: this.#now(), executionId, status });
  }

  #now(): number {
    return this.#ctx.clock.now();
  }

  #step<E extends LifecycleEvent>(event: E): AnswerOf<E> {
    let result: LifecycleStep<AnswerOf<E>>;
    try {
      result = step(this.state, event, { split: this.#p.split, ...(this.#p.restLeadMs !== undefined ? { restLeadMs: this.#p.restLeadMs } : {}) });
    } catch (error) {
      // A bug in a step leaves the state as it was; the coordinator (and its election) live on.
      this.#ctx.log.error('execution step failed', { event: event.type, error });
      return { ok: false, error: new McpError('INTERNAL', `execution step failed: ${errorMessage(error)}`) } as AnswerOf<E>;
    }
    this.state = result.state;
    const reports = new Map<string, ExecutionDoc>();
    for (const effect of result.effects) {
      try {
        this.#apply(effect, reports);
      } catch (error) {
        this.#ctx.log.error('execution effect failed', { effect: effect.type, error });
      }
    }
    for (const doc of reports.values()) this.onEnded(doc);
    if (event.type === 'replicas.gathered' && this.state.phase === 'ready') this.onReady();
    return result.answer;
  }

  /** The unfinished executions in the store, with what their runs delivered so far. */
  #resumable(now: number): Resumable[] {
    const out: Resumable[] = [];
    for (const stored of this.#p.store.listExecutions(['pending', 'running', 'cancelled'])) {
      const { doc } = stored;
      if (!worthResuming(doc, now)) continue;
      try {
        out.push({ doc, progress: progressOf(this.#p.results.results(doc)) });
      } catch (error) {
        this.#ctx.log.error('cannot resume execution', { execution: doc.execution_id, error });
      }
    }
    return out;
  }

  /** `withReports`: documents that ended in this step, completed with their final report. */
  #apply(effect: LifecycleEffect, withReports: Map<string, ExecutionDoc>): void {
    const { store, messenger, replication, results } = this.#p;
    const { log } = this.#ctx;
    switch (effect.type) {
      case 'send': {
        const sentAt = this.#now();
        const { id } = effect;
        messenger.send(effect.to, effect.command.kind, effect.command.payload, effect.mode, { deadlineMs: effect.deadlineMs }).then(
          () => this.#ctx.self.tell({ type: 'executions.sent', id, outcome: 'acknowledged', rttMs: this.#now() - sentAt, error: '' }),
          (error: unknown) =>
            this.#ctx.self.tell({ type: 'executions.sent', id, outcome: isFinalFailure(error) ? 'refused' : 'timed-out', rttMs: this.#now() - sentAt, error: errorMessage(error) }),
        );
        break;
      }
      case 'end-report': {
        // Each generator's own verdict on its share, from its final delta: stored with the report.
        const shares = store.deltas(effect.doc.execution_id).flatMap((d) => (d.delta.final && d.delta.saturation ? [d.delta.saturation] : []));
        const report = withSaturation(results.report(effect.doc, effect.doc.finished_at ?? this.#now()), shares);
        withReports.set(effect.doc.execution_id, { ...effect.doc, report });
        log.info(`execution ${effect.doc.status}`, { execution: effect.doc.execution_id, requests: report.summary.total_requests });
        break;
      }
      case 'persist': {
        const doc = withReports.get(effect.doc.execution_id) ?? effect.doc;
        store.putExecution({ execution_id: doc.execution_id, term: doc.term, version: doc.version, status: doc.status, created_at: doc.created_at, doc });
        break;
      }
      case 'replicate':
        replication.docChanged(withReports.get(effect.doc.execution_id) ?? effect.doc);
        break;
      case 'record-delta':
        if (results.addDelta(effect.delta)) replication.deltaStored(effect.delta);
        break;
      case 'schedule':
        this.#ctx.startTimer(`execution:${effect.key}`, Math.max(0, effect.at - this.#now()), { type: 'executions.timer', key: effect.key });
        break;
      case 'gather': {
        const { term } = effect;
        replication
          .gather(effect.peers)
          .catch((error: unknown) => log.warn('gathering replicas failed', { error }))
          .finally(() => this.#ctx.self.tell({ type: 'executions.gathered', term }));
        break;
      }
      case 'log':
        log[effect.level](effect.message, effect.fields);
        break;
    }
  }
}

function progressOf(results: readonly LoadResults[]): Map<string, SourceProgress> {
  const out = new Map<string, SourceProgress>();
  for (const r of results) for (const [run, p] of Object.entries(r.sources)) out.set(run, p);
  return out;
}
