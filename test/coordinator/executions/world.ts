// A simulated world around the execution lifecycle: a store, the sends in flight, timers and members,
// driven by random actions, checking after every step what must always hold.
import { loadTaskOf } from '../../../src/plan/index.js';
import { advance } from '../../../src/stats/index.js';
import { step } from '../../../actors/coordinator/executions/lifecycle.js';
import { runIdOf, type ExecutionDoc } from '../../../src/execution/contract.js';
import { coversWhole, type Segment } from '../../../src/execution/segment.js';
import { initialLifecycle, type LifecycleEffect, type LifecycleEvent, type LifecycleState, type MemberView } from '../../../actors/coordinator/executions/model.js';
import type { SourceProgress } from '../../../src/stats/index.js';
import { DEPS, SELF, T0, deltaOf, planOf } from './harness.js';
import { shareEnd } from '../../../src/execution/accounting.js';
import { ownedArrivals } from '../../../src/schedule/arrivals.js';
import { profileFor } from '../../../src/schedule/patterns.js';

export const OTHERS = ['b', 'c', 'd'] as const;

export type Action =
  | { kind: 'submit' }
  | { kind: 'complete'; pick: number; outcome: 'acknowledged' | 'refused' | 'timed-out' }
  | { kind: 'member'; node: number; status: 'alive' | 'suspect' | 'dead' | 'gone' }
  | { kind: 'delta'; execution: number; node: number; seq: number; final: boolean }
  | { kind: 'cancel'; execution: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'leave' }
  | { kind: 'take' }
  | { kind: 'gathered' };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class World {
  state: LifecycleState = initialLifecycle(SELF);
  now = T0;
  term = 0;
  readonly violations: string[] = [];
  /** The newest persisted version of each execution. */
  readonly store = new Map<string, ExecutionDoc>();
  /** Deltas recorded, by `${execution}|${run}|${seq}`, with their final flag. */
  readonly recorded = new Map<string, boolean>();
  readonly #inFlight: number[] = [];
  readonly #timers = new Map<string, number>();
  readonly #members = new Map<string, MemberView['status'] | 'gone'>(OTHERS.map((n) => [n, 'alive']));
  readonly #ids: string[] = [];
  /** Final statuses seen persisted: they never change again. */
  readonly #ended = new Map<string, string>();

  constructor() {
    this.#membership();
  }

  act(a: Action): void {
    switch (a.kind) {
      case 'submit': {
        const id = `e${this.#ids.length}`;
        this.#ids.push(id);
        const plan = planOf(2);
        this.#on({ type: 'submitted', executionId: id, plan, source: {}, ...(this.store.has(id) ? { existing: this.store.get(id)! } : {}) });
        break;
      }
      case 'complete': {
        if (this.#inFlight.length === 0) return;
        const [id] = this.#inFlight.splice(a.pick % this.#inFlight.length, 1);
        if (a.outcome === 'acknowledged') this.#on({ type: 'send.acknowledged', id: id!, rttMs: 1 });
        else if (a.outcome === 'refused') this.#on({ type: 'send.refused', id: id!, error: 'refused' });
        else this.#on({ type: 'send.timed-out', id: id!, error: 'deadline' });
        break;
      }
      case 'member':
        this.#members.set(OTHERS[a.node % OTHERS.length]!, a.status);
        this.#membership();
        break;
      case 'delta': {
        if (this.#ids.length === 0) return;
        const id = this.#ids[a.execution % this.#ids.length]!;
        const node = [SELF, ...OTHERS][a.node % 4]!;
        const live = this.state.executions.get(id);
        const delta = deltaOf(runIdOf(id, 0, node), a.seq, a.final);
        this.#on({ type: 'delta', executionId: id, from: node, task: 0, delta, ...(live ? {} : this.store.has(id) ? { storedStatus: this.store.get(id)!.status } : {}) });
        break;
      }
      case 'cancel': {
        if (this.#ids.length === 0) return;
        const id = this.#ids[a.execution % this.#ids.length]!;
        this.#on({ type: 'cancel', executionId: id, ...(this.state.executions.has(id) || !this.store.has(id) ? {} : { stored: this.store.get(id)! }) });
        break;
      }
      case 'advance': {
        const until = this.now + a.ms;
        for (;;) {
          const due = [...this.#timers].filter(([, at]) => at <= until).sort((x, y) => x[1] - y[1])[0];
          if (!due) break;
          this.#timers.delete(due[0]);
          this.now = Math.max(this.now, due[1]);
          this.#on({ type: 'timer', key: due[0] });
        }
        this.now = until;
        break;
      }
      case 'leave':
        this.#on({ type: 'office.left' });
        break;
      case 'take':
        this.#on({ type: 'office.taken', term: ++this.term });
        break;
      case 'gathered':
        this.#on({ type: 'replicas.gathered', term: this.term, executions: this.#unfinished() });
        break;
    }
  }

  #membership(): void {
    const members = [...this.#members].filter(([, s]) => s !== 'gone').map(([node_id, status]) => ({ node_id, status: status as MemberView['status'] }));
    const generators = [SELF, ...members.filter((m) => m.status === 'alive').map((m) => m.node_id)].sort();
    this.#on({ type: 'members', generators, members });
  }

  #unfinished() {
    return [...this.store.values()]
      .filter((doc) => ['pending', 'running', 'cancelled'].includes(doc.status))
      .map((doc) => {
        const progress = new Map<string, SourceProgress>();
        for (const [key, final] of this.recorded) {
          const [execution, run, seq] = key.split('|');
          if (execution === doc.execution_id) progress.set(run!, advance(progress.get(run!), Number(seq), final));
        }
        return { doc, progress };
      });
  }

  #on(event: DistributiveOmit<LifecycleEvent, 'now'>): void {
    const before = this.state;
    const frozen = JSON.stringify([...before.executions.values()].map((e) => e.doc));
    const { state, effects } = step(before, { ...event, now: this.now } as LifecycleEvent, DEPS);
    if (JSON.stringify([...before.executions.values()].map((e) => e.doc)) !== frozen) this.violations.push(`${event.type} changed the state it was given`);
    this.state = state;
    for (const effect of effects) this.#apply(effect, before);
    this.#check(event.type);
  }

  #apply(effect: LifecycleEffect, before: LifecycleState): void {
    switch (effect.type) {
      case 'send': {
        this.#inFlight.push(effect.id);
        const id = effect.command.payload.execution_id;
        if (effect.command.kind !== 'task.stop' && this.#ended.get(id) === 'cancelled') this.violations.push(`${effect.command.kind} sent for cancelled ${id}`);
        if (effect.command.kind !== 'task.stop' && this.#ended.has(id)) this.violations.push(`${effect.command.kind} sent for ended ${id}`);
        break;
      }
      case 'persist': {
        const { doc } = effect;
        const ended = this.#ended.get(doc.execution_id);
        if (ended !== undefined && ended !== doc.status) this.violations.push(`${doc.execution_id} went from ${ended} to ${doc.status}`);
        if (['completed', 'failed', 'cancelled'].includes(doc.status)) this.#ended.set(doc.execution_id, doc.status);
        if (doc.assignments.some((a) => a.state === 'done')) this.#sawDone.add(doc.execution_id);
        if (doc.status === 'completed' && ended === undefined) this.#checkSchedule(doc);
        const old = this.store.get(doc.execution_id);
        if (old && (doc.term < old.term || (doc.term === old.term && doc.version <= old.version))) this.violations.push(`${doc.execution_id} written with an older version`);
        this.store.set(doc.execution_id, doc);
        break;
      }
      case 'record-delta': {
        const { execution_id, run_id, seq } = effect.delta;
        const key = `${execution_id}|${run_id}|${seq}`;
        if (before.executions.has(execution_id) && this.recorded.has(key)) this.violations.push(`delta ${key} counted twice`);
        if (!this.recorded.has(key)) this.recorded.set(key, effect.delta.delta.final);
        break;
      }
      case 'schedule':
        this.#timers.set(effect.key, effect.at);
        break;
      default:
        break;
    }
  }

  /**
   * The shares a completed execution recorded, followed through every move, own each arrival of the
   * schedule exactly once (generators that finished early keep theirs, so those are left out).
   */
  #checkSchedule(doc: ExecutionDoc): void {
    if (doc.start_at === null || this.#sawDone.has(doc.execution_id)) return;
    const params = loadTaskOf(doc.plan.tasks[0]!)!;
    const profile = profileFor(params);
    let owned = 0;
    for (const a of doc.assignments) {
      const end = shareEnd(doc, a, params.duration * 1000)!;
      const spans = (a.shares ?? []).map((s) => ({ at: s.at - doc.start_at!, segment: s.segment }));
      owned += ownedArrivals(profile, spans, end - doc.start_at);
    }
    this.checkedSchedules++;
    if (owned !== profile.total) this.violations.push(`${doc.execution_id}: its shares own ${owned} of ${profile.total} arrivals: ${JSON.stringify(doc.assignments)}`);
  }

  /** Executions where a generator was ever done: a final delta here may come before the end. */
  readonly #sawDone = new Set<string>();
  /** Completed executions whose schedule was checked. */
  checkedSchedules = 0;

  #check(after: string): void {
    for (const [id, live] of this.state.executions) {
      const { doc } = live;
      if (doc.status === 'running') {
        const nonFailed = doc.assignments.filter((a) => a.state !== 'failed').map((a) => a.segment);
        const active = doc.assignments.filter((a) => a.state === 'assigned' || a.state === 'running').map((a) => a.segment);
        // Done generators have no load left: once one is done, a later split is among the active ones, and
        // those may finish in turn, so what must hold is that no arrival is driven twice. (Whether every
        // arrival was owned exactly once is checked on the schedule when the execution completes.)
        const someDone = doc.assignments.some((a) => a.state === 'done');
        const covered = coversWhole(nonFailed) || (someDone && disjoint(active));
        if (!covered) this.violations.push(`after ${after}: shares of ${id} do not cover the whole: ${JSON.stringify(doc.assignments)}`);
      }
      // What the lifecycle counted is exactly what was recorded, each once.
      for (const [run, p] of live.progress) {
        let expected: SourceProgress | undefined;
        for (const [key, final] of this.recorded) {
          const [execution, r, seq] = key.split('|');
          if (execution === id && r === run) expected = advance(expected, Number(seq), final);
        }
        const norm = (x: SourceProgress | undefined) => x && { ...x, extra: [...x.extra].sort((a, b) => a - b) };
        if (JSON.stringify(norm(p)) !== JSON.stringify(norm(expected))) this.violations.push(`after ${after}: progress of ${run} is ${JSON.stringify(p)}, recorded ${JSON.stringify(expected)}`);
      }
      const ended = this.#ended.get(id);
      if (ended !== undefined && ended !== doc.status) this.violations.push(`after ${after}: live ${id} is ${doc.status}, ended ${ended}`);
    }
  }
}

/** No two segments share a point of (0, 1]. */
function disjoint(segments: readonly Segment[]): boolean {
  const sorted = [...segments].sort((a, b) => a.from - b.from);
  return sorted.every((s, i) => i === 0 || s.from >= sorted[i - 1]!.to - 1e-12);
}
