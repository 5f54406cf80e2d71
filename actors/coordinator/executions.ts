// The coordinator's executions: assign shares, merge results, move a dead generator's share to the
// living, end or cancel, and replicate every change. Only the peer in office drives them; a new one
// takes over from the replicated state.
import type { Logger } from '../../src/util/log.js';
import type { Messenger } from '../../src/messaging.js';
import type { Store } from '../../src/store/store.js';
import { McpError, errorMessage } from '../../src/errors.js';
import type { Plan } from '../../src/plan/index.js';
import type { LoadResults, ResultsDelta } from '../../src/stats/index.js';
import { mergeDelta } from '../../src/stats/index.js';
import { splitEqually } from '../test-distributor/split.js';
import { KINDS, runIdOf, type Assignment, type ExecutionDoc } from './execution.js';
import { mergedResults, reportFor, taskOfRun } from './results-view.js';

export interface ExecutionPorts {
  self: string;
  store: Store;
  messenger: Messenger;
  log: Logger;
  now(): number;
  /** Alive peers other than this one (replicas). */
  peers(): string[];
  /** Peers that may generate load now (alive, with the capability), this one included. */
  generators(): string[];
}

interface Live {
  doc: ExecutionDoc;
  results: LoadResults[];
}

/** Between assignment and the agreed start: enough for every generator to receive its share. */
export const START_DELAY_MS = 300;
/** How long after the planned end we wait for final results before ending anyway. */
const FINAL_GRACE_MS = 10_000;

export class ExecutionManager {
  readonly #p: ExecutionPorts;
  readonly #live = new Map<string, Live>();
  #term = 0;
  #inOffice = false;

  constructor(ports: ExecutionPorts) {
    this.#p = ports;
  }

  get inOffice(): boolean {
    return this.#inOffice;
  }

  /** Take over every unfinished execution from the replicated state. */
  takeOffice(term: number): void {
    this.#term = term;
    this.#inOffice = true;
    this.#live.clear();
    for (const stored of this.#p.store.listExecutions()) {
      const doc = stored.doc as ExecutionDoc;
      if (doc.status !== 'pending' && doc.status !== 'running') continue;
      const live = { doc, results: mergedResults(doc, this.#p.store.deltas(doc.execution_id)) };
      this.#live.set(doc.execution_id, live);
      this.#p.log.info('taking over execution', { execution: doc.execution_id, from: doc.coordinator, term });
      if (doc.status === 'pending') void this.#assign(live);
      else this.#write(live);
    }
  }

  leaveOffice(): void {
    this.#inOffice = false;
    this.#live.clear();
  }

  submit(executionId: string, plan: Plan, source: unknown): void {
    this.#requireOffice();
    if (this.#live.has(executionId) || this.#p.store.getExecution(executionId)) return; // submitted twice
    const now = this.#p.now();
    const doc: ExecutionDoc = {
      execution_id: executionId,
      name: plan.name,
      plan,
      source,
      status: 'pending',
      created_at: now,
      start_at: null,
      finished_at: null,
      coordinator: this.#p.self,
      term: this.#term,
      version: 0,
      assignments: [],
    };
    const live = { doc, results: mergedResults(doc, []) };
    this.#live.set(executionId, live);
    this.#write(live);
    void this.#assign(live);
  }

  cancel(executionId: string): ExecutionDoc['status'] {
    this.#requireOffice();
    const live = this.#live.get(executionId);
    if (!live) {
      const stored = this.#p.store.getExecution(executionId);
      if (!stored) throw new McpError('EXECUTION_NOT_FOUND', `no execution ${executionId}`);
      return (stored.doc as ExecutionDoc).status;
    }
    const active = live.doc.assignments.filter((a) => a.state === 'running' || a.state === 'assigned');
    this.#end(live, 'cancelled');
    for (const a of active) {
      this.#p.messenger
        .send(a.node_id, KINDS.stop, { execution_id: executionId, term: this.#term }, 'reliable', { deadlineMs: 3_000 })
        .catch((error: unknown) => this.#p.log.warn('stop not delivered', { node: a.node_id, error }));
    }
    return 'cancelled';
  }

  /** A generator's delta: stored once, merged once, replicated. */
  onDelta(executionId: string, delta: ResultsDelta): void {
    this.#requireOffice();
    const stored = this.#p.store.addDelta({ execution_id: executionId, run_id: delta.run_id, seq: delta.seq, delta });
    const live = this.#live.get(executionId);
    if (!stored) return;
    if (live) {
      const task = taskOfRun(delta.run_id);
      if (live.results[task]) live.results[task] = mergeDelta(live.results[task]!, delta);
    }
    for (const peer of this.#p.peers()) {
      this.#p.messenger
        .send(peer, KINDS.replicateDelta, { execution_id: executionId, run_id: delta.run_id, seq: delta.seq, delta }, 'fire-and-forget')
        .catch(() => undefined);
    }
  }

  /** Periodic: move shares off dead generators, end executions whose results are all in. */
  tick(): void {
    if (!this.#inOffice) return;
    const now = this.#p.now();
    const alive = new Set(this.#p.generators());
    for (const live of this.#live.values()) {
      const { doc } = live;
      if (doc.status !== 'running') continue;
      const lost = doc.assignments.filter((a) => (a.state === 'running' || a.state === 'assigned') && !alive.has(a.node_id) && !this.#finished(live, a.node_id));
      if (lost.length > 0) this.#failAndResegment(live, lost.map((a) => a.node_id), 'generator died');
      const end = doc.start_at! + maxDurationMs(doc.plan);
      const active = doc.assignments.filter((a) => a.state !== 'failed');
      for (const a of active) if (a.state !== 'done' && this.#finished(live, a.node_id)) this.#setAssignment(live, a.node_id, 'done');
      if (now >= end && active.every((a) => this.#finished(live, a.node_id))) this.#end(live, 'completed');
      else if (now >= end + FINAL_GRACE_MS) {
        const missing = active.filter((a) => !this.#finished(live, a.node_id)).map((a) => a.node_id);
        for (const node of missing) this.#setAssignment(live, node, 'failed', 'no final results');
        this.#end(live, 'completed');
      }
    }
  }

  async #assign(live: Live): Promise<void> {
    const { doc } = live;
    const nodes = this.#p.generators();
    if (nodes.length === 0) {
      doc.error = 'no generator available';
      this.#end(live, 'failed');
      return;
    }
    const now = this.#p.now();
    const segments = splitEqually(nodes);
    doc.start_at = now + START_DELAY_MS;
    doc.assignments = nodes.map((node_id): Assignment => ({ node_id, segment: segments.get(node_id)!, state: 'assigned', updated_at: now }));
    doc.status = 'running';
    this.#write(live);
    const term = this.#term;
    const results = await Promise.allSettled(
      doc.assignments.map(async (a) => {
        const sentAt = performance.now();
        await this.#p.messenger.send(
          a.node_id,
          KINDS.assign,
          { execution_id: doc.execution_id, term, name: doc.name, plan: doc.source, segment: a.segment, start_at: doc.start_at },
          'exactly-once',
          { deadlineMs: START_DELAY_MS },
        );
        a.assign_rtt_ms = Math.round((performance.now() - sentAt) * 1000) / 1000;
      }),
    );
    if (!this.#inOffice || this.#term !== term || doc.status !== 'running') return;
    const failed: string[] = [];
    results.forEach((r, i) => {
      const node = doc.assignments[i]!.node_id;
      if (r.status === 'fulfilled') this.#setAssignment(live, node, 'running');
      else {
        this.#p.log.warn('assignment failed', { node, error: errorMessage(r.reason) });
        failed.push(node);
      }
    });
    if (failed.length > 0) this.#failAndResegment(live, failed, 'assignment not acknowledged');
  }

  #failAndResegment(live: Live, nodes: string[], reason: string): void {
    for (const node of nodes) this.#setAssignment(live, node, 'failed', reason);
    const remaining = live.doc.assignments.filter((a) => a.state === 'running' || a.state === 'assigned').map((a) => a.node_id);
    if (remaining.length === 0) {
      live.doc.error = `every generator failed (${reason})`;
      this.#end(live, 'failed');
      return;
    }
    const segments = splitEqually(remaining);
    const at = this.#p.now() + 50;
    for (const node of remaining) {
      const a = live.doc.assignments.find((x) => x.node_id === node)!;
      a.segment = segments.get(node)!;
      this.#p.messenger
        .send(node, KINDS.resegment, { execution_id: live.doc.execution_id, term: this.#term, segment: a.segment, at }, 'exactly-once', { deadlineMs: 2_000 })
        .catch((error: unknown) => this.#p.log.warn('resegment not delivered', { node, error }));
    }
    this.#p.log.info('moved shares', { execution: live.doc.execution_id, lost: nodes.join(','), to: remaining.join(',') });
    this.#write(live);
  }

  /** True when every task run of `node` has delivered its final delta and nothing before it is missing. */
  #finished(live: Live, node: string): boolean {
    return live.doc.plan.tasks.every((_, task) => {
      const progress = live.results[task]?.sources[runIdOf(live.doc.execution_id, task, node)];
      return progress !== undefined && progress.final && progress.extra.length === 0;
    });
  }

  #setAssignment(live: Live, node: string, state: Assignment['state'], reason?: string): void {
    const a = live.doc.assignments.find((x) => x.node_id === node);
    if (!a || a.state === state) return;
    a.state = state;
    a.updated_at = this.#p.now();
    if (reason) a.reason = reason;
    this.#write(live);
  }

  #end(live: Live, status: 'completed' | 'failed' | 'cancelled'): void {
    const { doc } = live;
    doc.status = status;
    doc.finished_at = this.#p.now();
    if (status === 'cancelled') for (const a of doc.assignments) if (a.state === 'assigned' || a.state === 'running') a.state = 'cancelled';
    doc.report = reportFor(doc, live.results, doc.finished_at);
    this.#write(live);
    if (status !== 'cancelled') this.#live.delete(doc.execution_id);
    this.#p.log.info(`execution ${status}`, { execution: doc.execution_id, requests: doc.report.summary.total_requests });
  }

  #write(live: Live): void {
    const { doc } = live;
    doc.term = this.#term;
    doc.coordinator = this.#p.self;
    doc.version += 1;
    this.#p.store.putExecution({ execution_id: doc.execution_id, term: doc.term, version: doc.version, status: doc.status, created_at: doc.created_at, doc });
    for (const peer of this.#p.peers()) {
      this.#p.messenger.send(peer, KINDS.replicate, { doc }, 'fire-and-forget').catch(() => undefined);
    }
  }

  #requireOffice(): void {
    if (!this.#inOffice) throw new McpError('NOT_COORDINATOR', `${this.#p.self} is not the coordinator`);
  }
}

export function maxDurationMs(plan: Plan): number {
  return Math.max(...plan.tasks.map((t) => t.parameters.duration)) * 1000;
}
