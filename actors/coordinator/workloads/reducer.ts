// Workloads as a pure reducer: (state, event) → { state, effects, answer }. Each scenario reserves its
// resources (when it needs any), then starts as a child execution pinned to its nodes:
// - coordinated: every scenario reserves first; all start together at one agreed time;
// - parallel: each starts as soon as its reservation is granted;
// - sequential: one after another, the next once the previous has ended.
// A scenario whose reservation is refused fails with the shortfall; in coordinated mode the others
// then never start. The workload ends when every scenario has: failed if one failed.
import { McpError } from '../../../src/errors.js';
import type { ExecutionDoc, ExecutionStatus } from '../../../src/execution/contract.js';
import { FINAL_SCENARIO_STATES, allocationIdOf, childIdOf, type ScenarioRun, type ScenarioState } from '../../../src/execution/workload.js';
import { RESERVATION_SLACK_S, START_LEAD_MS, type WorkloadEffect, type WorkloadEvent, type WorkloadOutcome, type WorkloadStep, type WorkloadsState } from './model.js';

type Event<T extends WorkloadEvent['type']> = Extract<WorkloadEvent, { type: T }>;

class Turn {
  readonly effects: WorkloadEffect[] = [];
  readonly workloads: Map<string, ExecutionDoc>;
  readonly #edited = new Set<string>();
  readonly #ended = new Set<string>();
  ready: boolean;
  term: number;

  constructor(
    readonly base: WorkloadsState,
    readonly now: number,
  ) {
    this.workloads = new Map(base.workloads);
    this.ready = base.ready;
    this.term = base.term;
  }

  /** The document, writable for the rest of this step (copied and its version raised once). */
  doc(id: string): ExecutionDoc {
    const doc = this.workloads.get(id)!;
    if (this.#edited.has(id)) return doc;
    const copy: ExecutionDoc = { ...doc, workload: { ...doc.workload!, scenarios: doc.workload!.scenarios.map((s) => ({ ...s })) } };
    copy.version += 1;
    copy.term = this.term;
    copy.coordinator = this.base.self;
    this.workloads.set(id, copy);
    this.#edited.add(id);
    return copy;
  }

  scenario(id: string, task: number): ScenarioRun {
    return this.doc(id).workload!.scenarios[task]!;
  }

  end(id: string): void {
    this.#ended.add(id);
  }

  finish(): WorkloadsState {
    for (const id of this.#edited) {
      const doc = this.workloads.get(id)!;
      const ended = this.#ended.has(id);
      this.effects.push({ type: 'write', doc, ended });
      if (ended) this.workloads.delete(id);
    }
    return { self: this.base.self, ready: this.ready, term: this.term, workloads: this.workloads };
  }
}

export function workloadStep(state: WorkloadsState, event: WorkloadEvent): WorkloadStep {
  const t = new Turn(state, event.now);
  const answer = apply(t, event);
  return { state: t.finish(), effects: t.effects, answer };
}

function apply(t: Turn, e: WorkloadEvent): unknown {
  switch (e.type) {
    case 'office':
      t.ready = e.ready;
      t.term = e.term;
      if (!e.ready) t.workloads.clear();
      return undefined;
    case 'resumed':
      return resume(t, e);
    case 'submitted':
      return settle(() => submit(t, e));
    case 'reserved':
      return reserved(t, e);
    case 'child.refused':
      if (live(t, e.executionId, e.task, ['running'])) finishScenario(t, e.executionId, e.task, 'failed', `not started: ${e.error}`);
      return undefined;
    case 'child.ended':
      if (live(t, e.executionId, e.task, ['running'])) finishScenario(t, e.executionId, e.task, childState(e.status), e.error);
      return undefined;
    case 'cancel':
      return cancel(t, e);
  }
}

function settle(fn: () => void): WorkloadOutcome<void> {
  try {
    fn();
    return { ok: true, value: undefined };
  } catch (error) {
    if (error instanceof McpError) return { ok: false, error };
    throw error;
  }
}

function childState(status: ExecutionStatus): ScenarioState {
  return status === 'completed' ? 'completed' : status === 'cancelled' ? 'cancelled' : 'failed';
}

/** True when the workload is live here and the scenario is in one of these states. */
function live(t: Turn, id: string, task: number, states: readonly ScenarioState[]): boolean {
  const s = t.workloads.get(id)?.workload?.scenarios[task];
  return s !== undefined && states.includes(s.state);
}

function submit(t: Turn, e: Event<'submitted'>): void {
  if (!t.ready) throw new McpError('NOT_COORDINATOR', `${t.base.self} is not ready to take workloads`);
  if (t.workloads.has(e.executionId) || e.existing) return; // submitted twice
  const doc: ExecutionDoc = {
    execution_id: e.executionId,
    name: e.plan.name,
    plan: e.plan,
    source: e.source,
    status: 'running',
    created_at: t.now,
    start_at: null,
    finished_at: null,
    coordinator: t.base.self,
    term: t.term,
    version: 0,
    assignments: [],
    workload: {
      execution_mode: e.mode,
      strategy: e.strategy,
      scenarios: e.scenarios.map((s, task) => ({ ...s, task, state: 'waiting', start_at: null, finished_at: null })),
    },
  };
  t.workloads.set(e.executionId, doc);
  advance(t, e.executionId);
}

/** Move the workload on as far as its mode allows now. */
function advance(t: Turn, id: string): void {
  const doc = t.doc(id);
  const scenarios = doc.workload!.scenarios;
  const count = (...states: ScenarioState[]) => scenarios.filter((s) => states.includes(s.state)).length;
  switch (doc.workload!.execution_mode) {
    case 'parallel':
      for (const s of scenarios) if (s.state === 'waiting') prepare(t, id, s.task);
      for (const s of t.doc(id).workload!.scenarios) if (s.state === 'reserved') start(t, id, s.task, t.now + START_LEAD_MS);
      break;
    case 'sequential': {
      if (count('reserving', 'reserved', 'running') === 0) {
        const next = scenarios.find((s) => s.state === 'waiting');
        if (next) prepare(t, id, next.task);
      }
      const ready = t.doc(id).workload!.scenarios.find((s) => s.state === 'reserved');
      if (ready) start(t, id, ready.task, t.now + START_LEAD_MS);
      break;
    }
    case 'coordinated': {
      const failed = scenarios.find((s) => s.state === 'failed' && s.start_at === null);
      if (failed) {
        // One cannot start: the others must not start without it.
        for (const s of scenarios) if (s.state === 'waiting' || s.state === 'reserving' || s.state === 'reserved') finishScenario(t, id, s.task, 'cancelled', `not started: scenario ${failed.scenario_id} could not start`, false);
        break;
      }
      for (const s of scenarios) if (s.state === 'waiting') prepare(t, id, s.task);
      const all = t.doc(id).workload!.scenarios;
      if (all.every((s) => s.state === 'reserved')) {
        const at = t.now + START_LEAD_MS;
        for (const s of all) start(t, id, s.task, at);
      }
      break;
    }
  }
  const final = t.doc(id).workload!.scenarios;
  if (final.every((s) => FINAL_SCENARIO_STATES.includes(s.state))) endWorkload(t, id);
}

/** Reserve its resources, or be ready at once when it needs none. */
function prepare(t: Turn, id: string, task: number): void {
  const s = t.scenario(id, task);
  const amounts = Object.fromEntries(Object.entries(s.resources).filter(([, v]) => v > 0));
  if (Object.keys(amounts).length === 0 || s.nodes.length === 0) {
    s.state = 'reserved';
    return;
  }
  s.state = 'reserving';
  s.allocation_id = allocationIdOf(id, task);
  reserve(t, id, s, amounts);
}

function reserve(t: Turn, id: string, s: ScenarioRun, amounts: Record<string, number>): void {
  const pin = Object.fromEntries(s.nodes.map((n) => [n, { ...amounts }]));
  const ttl_s = Math.ceil(s.estimated_duration_s) + RESERVATION_SLACK_S;
  t.effects.push({ type: 'reserve', executionId: id, task: s.task, allocation_id: s.allocation_id!, pin, ttl_s });
}

function start(t: Turn, id: string, task: number, at: number): void {
  const doc = t.doc(id);
  const s = doc.workload!.scenarios[task]!;
  s.state = 'running';
  s.start_at = at;
  s.execution_id = childIdOf(id, task);
  if (doc.start_at === null || at < doc.start_at) doc.start_at = at;
  t.effects.push({ type: 'start-child', executionId: id, task, childId: s.execution_id, nodes: [...s.nodes], startAt: at, childOf: { execution_id: id, scenario_id: s.scenario_id } });
  t.effects.push({ type: 'log', level: 'info', message: 'scenario started', fields: { execution: id, scenario: s.scenario_id, nodes: s.nodes.join(','), start_at: at } });
}

function reserved(t: Turn, e: Event<'reserved'>): undefined {
  if (!live(t, e.executionId, e.task, ['reserving'])) {
    // Granted after it stopped needing it (cancelled meanwhile): give it back.
    const a = t.workloads.get(e.executionId)?.workload?.scenarios[e.task];
    if (e.ok && a?.state !== 'running' && a?.state !== 'reserved') t.effects.push({ type: 'release', allocation_id: allocationIdOf(e.executionId, e.task) });
    return undefined;
  }
  if (e.ok) {
    t.scenario(e.executionId, e.task).state = 'reserved';
    advance(t, e.executionId);
  } else {
    const s = t.scenario(e.executionId, e.task);
    delete s.allocation_id;
    finishScenario(t, e.executionId, e.task, 'failed', `resources refused: ${e.reason}`);
  }
  return undefined;
}

/** A scenario ends: its reservation goes back to the pool; the workload moves on (unless told not to). */
function finishScenario(t: Turn, id: string, task: number, state: ScenarioState, reason?: string, move = true): void {
  const s = t.scenario(id, task);
  s.state = state;
  s.finished_at = t.now;
  if (reason) s.reason = reason;
  if (s.allocation_id) {
    t.effects.push({ type: 'release', allocation_id: s.allocation_id });
    delete s.allocation_id;
  }
  if (move) advance(t, id);
}

function endWorkload(t: Turn, id: string): void {
  const doc = t.doc(id);
  const scenarios = doc.workload!.scenarios;
  const failed = scenarios.filter((s) => s.state === 'failed');
  doc.status = failed.length > 0 ? 'failed' : scenarios.every((s) => s.state === 'cancelled') ? 'cancelled' : 'completed';
  if (failed.length > 0) doc.error = failed.map((s) => `${s.scenario_id}: ${s.reason ?? 'failed'}`).join('; ');
  doc.finished_at = t.now;
  t.end(id);
  t.effects.push({ type: 'log', level: failed.length > 0 ? 'warn' : 'info', message: `workload ${doc.status}`, fields: { execution: id } });
}

/** Undefined when the workload is not live here (the lifecycle answers for plain executions). */
function cancel(t: Turn, e: Event<'cancel'>): ExecutionStatus | undefined {
  if (!t.workloads.has(e.executionId)) return undefined;
  for (const s of t.workloads.get(e.executionId)!.workload!.scenarios) {
    if (FINAL_SCENARIO_STATES.includes(s.state)) continue;
    if (s.state === 'running') t.effects.push({ type: 'cancel-child', childId: s.execution_id! });
    finishScenario(t, e.executionId, s.task, 'cancelled', 'cancelled', false);
  }
  const doc = t.doc(e.executionId);
  doc.status = 'cancelled';
  doc.finished_at = t.now;
  t.end(e.executionId);
  return 'cancelled';
}

/** A new coordinator takes over each unfinished workload from the newest stored state. */
function resume(t: Turn, e: Event<'resumed'>): undefined {
  if (!t.ready) return undefined;
  for (const stored of e.docs) {
    if (stored.status !== 'running' || !stored.workload) continue;
    const id = stored.execution_id;
    t.workloads.set(id, stored);
    t.effects.push({ type: 'log', level: 'info', message: 'taking over workload', fields: { execution: id, from: stored.coordinator, term: t.term } });
    for (const s of t.doc(id).workload!.scenarios) {
      const amounts = Object.fromEntries(Object.entries(s.resources).filter(([, v]) => v > 0));
      // The pool releases what a lost coordinator held: ask again (idempotent by id).
      if (s.allocation_id && (s.state === 'reserving' || s.state === 'reserved' || s.state === 'running')) reserve(t, id, s, amounts);
      if (s.state !== 'running') continue;
      const child = e.children[s.execution_id!];
      if (child && child.status !== 'pending' && child.status !== 'running') {
        finishScenario(t, id, s.task, childState(child.status), child.error, false);
      } else if (!child) {
        // Never stored: start it again (the lifecycle keeps its own start no earlier than asked).
        t.effects.push({ type: 'start-child', executionId: id, task: s.task, childId: s.execution_id!, nodes: [...s.nodes], startAt: s.start_at ?? t.now, childOf: { execution_id: id, scenario_id: s.scenario_id } });
      }
    }
    advance(t, id);
  }
  return undefined;
}
