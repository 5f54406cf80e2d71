// Helpers for the execution lifecycle's tests: a coordinator in office on a fake clock, events by name,
// and the effects of each step sorted by what they ask for.
import { validatePlan, type Plan } from '../../../src/plan/index.js';
import { emptyCounters, type ResultsDelta } from '../../../src/stats/index.js';
import { splitEqually } from '../../../actors/test-distributor/split.js';
import { step } from '../../../actors/coordinator/executions/lifecycle.js';
import { initialLifecycle, type Command, type LifecycleDeps, type LifecycleEffect, type LifecycleEvent, type LifecycleState, type MemberView } from '../../../actors/coordinator/executions/model.js';
import { runIdOf, type ExecutionDoc } from '../../../src/execution/contract.js';

export const T0 = 1_700_000_000_000;
export const SELF = 'a';
export const DEPS = { split: splitEqually };

export function planOf(durationS = 10, tasks = 1): Plan {
  const task = { type: 'load_test', parameters: { targets: [{ url: 'http://127.0.0.1:9/' }], duration: durationS, base_rps: 100 } };
  return validatePlan({ name: 'p', tasks: Array.from({ length: tasks }, () => task) });
}

/** A delta with nothing in it but its place in the run. */
export const deltaOf = (run_id: string, seq: number, final: boolean): ResultsDelta => ({ run_id, seq, final, totals: emptyCounters(), latency: '', service: '', targets: [], seconds: [] });

export const alive = (...nodes: string[]): MemberView[] => nodes.map((node_id) => ({ node_id, status: 'alive' as const }));

type Sends = Extract<LifecycleEffect, { type: 'send' }>[];

/** A lifecycle under test: every step's effects are kept, and the clock moves only when told. */
export class Lifecycle {
  state: LifecycleState = initialLifecycle(SELF);
  now = T0;
  effects: LifecycleEffect[] = [];
  answer: unknown;
  /** The lifecycle's dependencies (a peer's add a longer lead at rest: see lead.test.ts). */
  deps: LifecycleDeps = DEPS;

  /** In office (term 1), replicas gathered, with generators a, b, c (b and c are the other members). */
  static ready(generators = ['a', 'b', 'c'], term = 1): Lifecycle {
    const l = new Lifecycle();
    l.on({ type: 'members', generators, members: alive(...generators.filter((g) => g !== SELF)) });
    l.on({ type: 'office.taken', term });
    l.on({ type: 'replicas.gathered', term, executions: [] });
    return l;
  }

  /** Apply one event at the current time (`now` is filled in). */
  on(event: DistributiveOmit<LifecycleEvent, 'now'>): LifecycleEffect[] {
    const result = step(this.state, { ...event, now: this.now } as LifecycleEvent, this.deps);
    this.state = result.state;
    this.effects = result.effects;
    this.answer = result.answer;
    return result.effects;
  }

  advance(ms: number): void {
    this.now += ms;
  }

  /** Submit execution `id` with the plan; returns the assignment sends. */
  submit(id = 'x', plan = planOf()): Sends {
    this.on({ type: 'submitted', executionId: id, plan, source: { name: plan.name, tasks: [] } });
    return this.sends('task.assign');
  }

  sends(kind?: Command['kind']): Sends {
    return this.effects.filter((e): e is Sends[number] => e.type === 'send' && (kind === undefined || e.command.kind === kind));
  }

  of<T extends LifecycleEffect['type']>(type: T): Extract<LifecycleEffect, { type: T }>[] {
    return this.effects.filter((e): e is Extract<LifecycleEffect, { type: T }> => e.type === type);
  }

  doc(id = 'x'): ExecutionDoc {
    const live = this.state.executions.get(id)?.doc;
    if (live) return live;
    const persisted = this.of('persist').filter((p) => p.doc.execution_id === id).at(-1)?.doc;
    if (!persisted) throw new Error(`no doc ${id} live or persisted in the last step`);
    return persisted;
  }

  ack(send: Sends[number], rttMs = 3): LifecycleEffect[] {
    return this.on({ type: 'send.acknowledged', id: send.id, rttMs });
  }

  /** Acknowledge every send of the last step (of a kind). */
  ackAll(sends: Sends): void {
    for (const s of sends) this.ack(s);
  }

  /** A delta of execution `id`, task `task`, from `node`. */
  delta(node: string, seq: number, final = false, id = 'x', task = 0): LifecycleEffect[] {
    return this.on({ type: 'delta', executionId: id, from: node, task, delta: deltaOf(runIdOf(id, task, node), seq, final) });
  }

  /** Advance to `at` and fire the execution's timer there. */
  fireAt(at: number, key = 'x'): LifecycleEffect[] {
    this.now = at;
    return this.on({ type: 'timer', key });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
