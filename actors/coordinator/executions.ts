// The coordinator's executions: assign shares, merge results, move a dead generator's share to the
// living, end or cancel, and replicate every change. Only the peer in office drives them; a new one
// first gathers the replicas of the others, then takes over from the newest state.
import type { Logger } from '../../src/util/log.js';
import { isFinalFailure } from '../../src/messaging.js';
import type { AcknowledgedMode, PeerMessenger } from '../../src/protocol/peer-messenger.js';
import type { PeerKind, RequestOf } from '../../src/protocol/peer-protocol.js';
import type { Store } from '../../src/store/store.js';
import { McpError, errorMessage } from '../../src/errors.js';
import type { Plan } from '../../src/plan/index.js';
import type { LoadResults, ResultsDelta } from '../../src/stats/index.js';
import { mergeDelta } from '../../src/stats/index.js';
import { maxDurationMs, runIdOf, type Assignment, type ExecutionDoc, type ExecutionStatus } from '../../src/execution/contract.js';
import type { Segment } from '../../src/execution/segment.js';
import { mergedResults, reportFor } from '../../src/execution/view.js';

export interface ExecutionPorts {
  self: string;
  store: Store;
  messenger: PeerMessenger;
  /** Split a task's whole among generators (the test distributor's rule). */
  split(nodes: readonly string[]): Map<string, Segment>;
  log: Logger;
  now(): number;
  /** Whether this peer's lease is valid right now: checked before every action, and after every await. */
  leaseValid(): boolean;
  /** Alive peers other than this one (replicas). */
  peers(): string[];
  /** Peers that may take new work now (alive, with the capability), this one included. */
  generators(): string[];
  /** A generator is lost when it is dead or gone (left); a suspect one keeps its share. */
  isLost(node: string): boolean;
}

interface Live {
  doc: ExecutionDoc;
  results: LoadResults[];
}

/** Between assignment and the agreed start: enough for every generator to receive its share and warm up. */
export const START_DELAY_MS = 700;
/** How long after the planned end we wait for final results before ending anyway. */
const FINAL_GRACE_MS = 10_000;
/** Changes of one moment are replicated together, this long after the first. */
const REPLICATE_DELAY_MS = 10;
/** A cancelled execution still takes late deltas this long. */
const CANCELLED_LINGER_MS = 30_000;

export class ExecutionManager {
  readonly #p: ExecutionPorts;
  readonly #live = new Map<string, Live>();
  #term = 0;
  #inOffice = false;
  /** False while a new coordinator gathers replicas: it takes no decision yet. */
  #ready = false;
  readonly #unreplicated = new Map<string, ExecutionDoc>();
  #replicateTimer: NodeJS.Timeout | undefined;

  constructor(ports: ExecutionPorts) {
    this.#p = ports;
  }

  get inOffice(): boolean {
    return this.#inOffice;
  }

  /** Gather the others' replicas, then take over every unfinished execution from the newest state. */
  takeOffice(term: number): void {
    this.#term = term;
    this.#inOffice = true;
    this.#ready = false;
    this.#live.clear();
    void this.#gatherReplicas()
      .then(() => {
        if (this.#inOffice && this.#term === term) this.#resume();
      })
      .catch((error: unknown) => this.#p.log.error('takeover failed', { error }));
  }

  leaveOffice(): void {
    this.#inOffice = false;
    this.#ready = false;
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
    this.#spawn(this.#assign(live), 'assignment');
  }

  cancel(executionId: string): ExecutionDoc['status'] {
    this.#requireOffice();
    const live = this.#live.get(executionId);
    if (!live || live.doc.status !== 'running') {
      const stored = live?.doc ?? this.#p.store.getExecution(executionId)?.doc;
      if (!stored) throw new McpError('EXECUTION_NOT_FOUND', `no execution ${executionId}`);
      if (stored.status !== 'pending') return stored.status;
    }
    const target = live ?? this.#liveFromStore(executionId)!;
    this.#end(target, 'cancelled');
    // Every node ever assigned, whatever its state: a stop is harmless where nothing runs.
    for (const a of target.doc.assignments) this.#command(a.node_id, 'task.stop', { execution_id: executionId, term: this.#term }, 'reliable');
    return 'cancelled';
  }

  /** A generator's delta: stored once, merged once, replicated. Answers the execution's status. */
  onDelta(executionId: string, from: string, task: number, delta: ResultsDelta): { status: ExecutionStatus | 'unknown' } {
    this.#requireOffice();
    if (delta.run_id !== runIdOf(executionId, task, from)) {
      throw new McpError('PERMANENT_DELTA_MISMATCH', `delta ${delta.run_id} does not belong to task ${task} of ${from}`);
    }
    const stored = this.#p.store.addDelta({ execution_id: executionId, run_id: delta.run_id, seq: delta.seq, delta });
    const live = this.#live.get(executionId);
    // Merging is idempotent per (run, seq): a delta stored by replication before this takeover still counts.
    if (live?.results[task]) live.results[task] = mergeDelta(live.results[task]!, delta);
    if (stored) {
      for (const peer of this.#p.peers()) {
        this.#p.messenger.post(peer, 'execution.replicate-delta', { execution_id: executionId, run_id: delta.run_id, seq: delta.seq, delta }).catch(() => undefined);
      }
    }
    const status = live?.doc.status ?? this.#p.store.getExecution(executionId)?.doc?.status;
    return { status: status ?? 'unknown' };
  }

  /** Periodic: move shares off lost generators, end executions whose results are all in. */
  tick(): void {
    if (!this.#inOffice || !this.#ready || !this.#p.leaseValid()) return;
    const now = this.#p.now();
    for (const live of [...this.#live.values()]) {
      try {
        this.#tickOne(live, now);
      } catch (error) {
        this.#p.log.error('execution step failed', { execution: live.doc.execution_id, error });
      }
    }
  }

  #tickOne(live: Live, now: number): void {
    const { doc } = live;
    if (doc.status === 'cancelled') {
      if (now - (doc.finished_at ?? now) > CANCELLED_LINGER_MS) this.#live.delete(doc.execution_id);
      return;
    }
    if (doc.status !== 'running' || doc.start_at === null) return;
    const lost = doc.assignments.filter((a) => (a.state === 'running' || a.state === 'assigned') && this.#p.isLost(a.node_id) && !this.#finished(live, a.node_id));
    if (lost.length > 0) this.#failAndResegment(live, lost.map((a) => a.node_id), 'generator died');
    const end = doc.start_at + maxDurationMs(doc.plan);
    const active = doc.assignments.filter((a) => a.state !== 'failed');
    for (const a of active) if (a.state !== 'done' && this.#finished(live, a.node_id)) this.#setAssignment(live, a.node_id, 'done');
    if (now >= end && active.every((a) => this.#finished(live, a.node_id))) this.#end(live, 'completed');
    else if (now >= end + FINAL_GRACE_MS) {
      for (const a of active.filter((x) => !this.#finished(live, x.node_id))) this.#setAssignment(live, a.node_id, 'failed', 'no final results');
      this.#end(live, 'completed');
    }
  }

  /** Ask every alive peer for its replicas of unfinished executions; keep the newest of each. */
  async #gatherReplicas(): Promise<void> {
    const { store, messenger, log } = this.#p;
    await Promise.all(
      this.#p.peers().map(async (peer) => {
        try {
          const reply = await messenger.send(peer, 'execution.sync', {}, 'reliable', { deadlineMs: 500 });
          store.transaction(() => {
            for (const doc of reply.docs) store.putExecution({ execution_id: doc.execution_id, term: doc.term, version: doc.version, status: doc.status, created_at: doc.created_at, doc });
            for (const d of reply.deltas) store.addDelta(d);
          });
        } catch (error) {
          log.warn('no replicas from peer', { peer, error });
        }
      }),
    );
  }

  #resume(): void {
    for (const stored of this.#p.store.listExecutions(['pending', 'running', 'cancelled'])) {
      const doc = stored.doc;
      if (doc.status === 'cancelled' && this.#p.now() - (doc.finished_at ?? 0) > CANCELLED_LINGER_MS) continue;
      let live: Live;
      try {
        live = { doc, results: mergedResults(doc, this.#p.store.deltas(doc.execution_id)) };
      } catch (error) {
        this.#p.log.error('cannot resume execution', { execution: doc.execution_id, error });
        continue;
      }
      this.#live.set(doc.execution_id, live);
      if (doc.status === 'cancelled') continue;
      this.#p.log.info('taking over execution', { execution: doc.execution_id, from: doc.coordinator, term: this.#term });
      if (doc.status === 'pending') {
        this.#spawn(this.#assign(live), 'assignment');
        continue;
      }
      this.#write(live);
      // Re-drive every active generator under the new term: raises their fence, re-sends assignments
      // that may never have arrived, and confirms each one's segment.
      for (const a of doc.assignments) {
        if (a.state === 'assigned') this.#command(a.node_id, 'task.assign', this.#assignPayload(doc, a), 'exactly-once');
        if (a.state === 'assigned' || a.state === 'running') {
          this.#command(a.node_id, 'task.resegment', { execution_id: doc.execution_id, term: this.#term, version: doc.version, segment: a.segment, at: this.#p.now() }, 'exactly-once');
        }
      }
    }
    this.#ready = true;
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
    const segments = this.#p.split(nodes);
    doc.start_at = now + START_DELAY_MS;
    doc.assignments = nodes.map((node_id): Assignment => ({ node_id, segment: segments.get(node_id)!, state: 'assigned', updated_at: now }));
    doc.status = 'running';
    this.#write(live);
    const term = this.#term;
    const results = await Promise.allSettled(
      doc.assignments.map(async (a) => {
        const sentAt = performance.now();
        await this.#p.messenger.send(a.node_id, 'task.assign', this.#assignPayload(doc, a), 'exactly-once', { deadlineMs: START_DELAY_MS });
        a.assign_rtt_ms = Math.round((performance.now() - sentAt) * 1000) / 1000;
      }),
    );
    if (!this.#inOffice || this.#term !== term || !this.#p.leaseValid() || doc.status !== 'running') return;
    const failed: string[] = [];
    results.forEach((r, i) => {
      const a = doc.assignments[i]!;
      if (r.status === 'fulfilled') {
        if (a.state === 'assigned') this.#setAssignment(live, a.node_id, 'running'); // never revive a failed one
      } else {
        this.#p.log.warn('assignment failed', { node: a.node_id, error: errorMessage(r.reason) });
        failed.push(a.node_id);
      }
    });
    if (failed.length > 0) this.#failAndResegment(live, failed, 'assignment not acknowledged');
  }

  #assignPayload(doc: ExecutionDoc, a: Assignment): RequestOf<'task.assign'> {
    return { execution_id: doc.execution_id, term: this.#term, name: doc.name, plan: doc.source, segment: a.segment, start_at: doc.start_at ?? this.#p.now() };
  }

  #failAndResegment(live: Live, nodes: string[], reason: string): void {
    for (const node of nodes) {
      this.#setAssignment(live, node, 'failed', reason);
      // If it is in fact alive, its old share must not run on beside the new ones.
      this.#command(node, 'task.stop', { execution_id: live.doc.execution_id, term: this.#term }, 'reliable');
    }
    const remaining = live.doc.assignments.filter((a) => a.state === 'running' || a.state === 'assigned').map((a) => a.node_id);
    if (remaining.length === 0) {
      live.doc.error = `every generator failed (${reason})`;
      this.#end(live, 'failed');
      return;
    }
    const segments = this.#p.split(remaining);
    for (const node of remaining) live.doc.assignments.find((x) => x.node_id === node)!.segment = segments.get(node)!;
    this.#write(live);
    const at = this.#p.now() + 50;
    for (const node of remaining) {
      const segment = segments.get(node)!;
      this.#command(node, 'task.resegment', { execution_id: live.doc.execution_id, term: this.#term, version: live.doc.version, segment, at }, 'exactly-once');
    }
    this.#p.log.info('moved shares', { execution: live.doc.execution_id, lost: nodes.join(','), to: remaining.join(',') });
  }

  /** A command to a generator, retried until acknowledged or the node is lost. */
  #command<K extends PeerKind>(node: string, kind: K, payload: RequestOf<K>, mode: AcknowledgedMode): void {
    const attempt = (left: number): void => {
      this.#p.messenger.send(node, kind, payload, mode, { deadlineMs: 2_000 }).catch((error: unknown) => {
        if (left > 0 && this.#inOffice && !this.#p.isLost(node) && !isFinalFailure(error)) attempt(left - 1);
        else this.#p.log.warn(`${kind} not delivered`, { node, error });
      });
    };
    attempt(5);
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

  #liveFromStore(executionId: string): Live | undefined {
    const stored = this.#p.store.getExecution(executionId);
    if (!stored) return undefined;
    const doc = stored.doc;
    const live = { doc, results: mergedResults(doc, this.#p.store.deltas(executionId)) };
    this.#live.set(executionId, live);
    return live;
  }

  #write(live: Live): void {
    const { doc } = live;
    doc.term = this.#term;
    doc.coordinator = this.#p.self;
    doc.version += 1;
    this.#p.store.putExecution({ execution_id: doc.execution_id, term: doc.term, version: doc.version, status: doc.status, created_at: doc.created_at, doc });
    // Replicate a moment later, once per burst of changes, and behind the commands just sent.
    this.#unreplicated.set(doc.execution_id, doc);
    this.#replicateTimer ??= setTimeout(() => this.#replicate(), REPLICATE_DELAY_MS);
  }

  #replicate(): void {
    this.#replicateTimer = undefined;
    const docs = [...this.#unreplicated.values()];
    this.#unreplicated.clear();
    for (const doc of docs) {
      for (const peer of this.#p.peers()) this.#p.messenger.post(peer, 'execution.replicate', { doc }).catch(() => undefined);
    }
  }

  #spawn(work: Promise<void>, what: string): void {
    work.catch((error: unknown) => this.#p.log.error(`${what} failed`, { error }));
  }

  #requireOffice(): void {
    if (!this.#inOffice || !this.#p.leaseValid()) throw new McpError('NOT_COORDINATOR', `${this.#p.self} is not the coordinator`);
    if (!this.#ready) throw new McpError('COORDINATOR_NOT_READY', `${this.#p.self} is still taking over`);
  }
}
