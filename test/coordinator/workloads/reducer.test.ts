// The workload reducer on a fake clock: when each scenario reserves and starts under each execution
// mode, what a refused reservation or a failed scenario does, cancelling, and taking over after a failover.
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../../../src/plan/index.js';
import type { ExecutionDoc } from '../../../src/execution/contract.js';
import { initialWorkloads, START_LEAD_MS, type PlacedScenario, type WorkloadEffect, type WorkloadEvent, type WorkloadsState } from '../../../actors/coordinator/workloads/model.js';
import { workloadStep } from '../../../actors/coordinator/workloads/reducer.js';

const T0 = 1_700_000_000_000;
type Mode = 'coordinated' | 'parallel' | 'sequential';
type DistributiveOmit<T, K extends keyof any> = T extends unknown ? Omit<T, K> : never;

const task = { type: 'load_test', parameters: { targets: [{ url: 'http://127.0.0.1:9/' }], duration: 10, base_rps: 10 } };
const plan = validatePlan({ name: 'w', tasks: [task, task, task] });

function scenarios(resources: Record<string, number>[]): PlacedScenario[] {
  return resources.map((r, i) => ({ scenario_id: `s${i + 1}`, name: `s${i + 1}`, nodes: [`n${i + 1}`], resources: r, estimated_duration_s: 10 }));
}

class World {
  state: WorkloadsState = initialWorkloads('a');
  now = T0;
  effects: WorkloadEffect[] = [];
  answer: unknown;
  last: ExecutionDoc | undefined;

  constructor(ready = true) {
    if (ready) this.on({ type: 'office', ready: true, term: 3 });
  }

  on(e: DistributiveOmit<WorkloadEvent, 'now'>): WorkloadEffect[] {
    const r = workloadStep(this.state, { ...e, now: this.now } as WorkloadEvent);
    this.state = r.state;
    this.effects = r.effects;
    this.answer = r.answer;
    const write = r.effects.filter((x) => x.type === 'write').at(-1);
    if (write?.type === 'write') this.last = write.doc;
    return r.effects;
  }

  submit(mode: Mode, resources: Record<string, number>[]) {
    return this.on({ type: 'submitted', executionId: 'w', plan: { ...plan, tasks: plan.tasks.slice(0, resources.length) }, source: {}, mode, strategy: 'least_loaded', scenarios: scenarios(resources) });
  }

  of<T extends WorkloadEffect['type']>(type: T) {
    return this.effects.filter((e): e is Extract<WorkloadEffect, { type: T }> => e.type === type);
  }

  states() {
    return this.last!.workload!.scenarios.map((s) => s.state);
  }
}

const GPU = { gpu: 1 };
const NONE = {};

describe('starting scenarios, per execution mode', () => {
  it.each<[Mode, Record<string, number>[], string[], string[]]>([
    // mode, resources per scenario, reservations asked at once, children started at once
    ['coordinated', [GPU, NONE], ['w.s1'], []],
    ['coordinated', [NONE, NONE], [], ['w.s1', 'w.s2']],
    ['parallel', [GPU, NONE], ['w.s1'], ['w.s2']],
    ['parallel', [NONE, NONE, NONE], [], ['w.s1', 'w.s2', 'w.s3']],
    ['sequential', [NONE, GPU], [], ['w.s1']],
    ['sequential', [GPU, NONE], ['w.s1'], []],
  ])('%s with %j reserves %j and starts %j', (mode, resources, reserved, started) => {
    const w = new World();
    w.submit(mode, resources);
    expect(w.answer).toEqual({ ok: true, value: undefined });
    expect(w.of('reserve').map((r) => r.allocation_id.replace(/^exec:/, ''))).toEqual(reserved);
    expect(w.of('start-child').map((s) => s.childId)).toEqual(started);
    for (const s of w.of('start-child')) expect(s.startAt).toBe(T0 + START_LEAD_MS);
    expect(w.of('write')).toHaveLength(1);
    expect(w.last).toMatchObject({ status: 'running', version: 1, term: 3, coordinator: 'a' });
  });

  it('coordinated: starts every scenario together once the last reservation is granted', () => {
    const w = new World();
    w.submit('coordinated', [GPU, { licenses: 2 }, NONE]);
    expect(w.of('reserve').map((r) => [r.task, r.pin])).toEqual([
      [0, { n1: { gpu: 1 } }],
      [1, { n2: { licenses: 2 } }],
    ]);
    w.now += 40;
    w.on({ type: 'reserved', executionId: 'w', task: 0, ok: true });
    expect(w.of('start-child')).toEqual([]);
    expect(w.states()).toEqual(['reserved', 'reserving', 'reserved']);
    w.now += 60;
    w.on({ type: 'reserved', executionId: 'w', task: 1, ok: true });
    const starts = w.of('start-child');
    expect(starts.map((s) => [s.childId, s.nodes, s.startAt])).toEqual([
      ['w.s1', ['n1'], T0 + 100 + START_LEAD_MS],
      ['w.s2', ['n2'], T0 + 100 + START_LEAD_MS],
      ['w.s3', ['n3'], T0 + 100 + START_LEAD_MS],
    ]);
    expect(starts[0]!.childOf).toEqual({ execution_id: 'w', scenario_id: 's1' });
    expect(w.last!.start_at).toBe(T0 + 100 + START_LEAD_MS);
  });

  it('sequential: the next scenario starts only when the previous one ended', () => {
    const w = new World();
    w.submit('sequential', [NONE, GPU, NONE]);
    expect(w.states()).toEqual(['running', 'waiting', 'waiting']);
    w.now += 10_700;
    w.on({ type: 'child.ended', executionId: 'w', task: 0, status: 'completed' });
    expect(w.of('reserve').map((r) => r.task)).toEqual([1]);
    expect(w.of('start-child')).toEqual([]);
    w.on({ type: 'reserved', executionId: 'w', task: 1, ok: true });
    expect(w.of('start-child').map((s) => s.childId)).toEqual(['w.s2']);
    w.now += 10_000;
    w.on({ type: 'child.ended', executionId: 'w', task: 1, status: 'completed' });
    // Its reservation goes back to the pool the moment it ends.
    expect(w.of('release').map((r) => r.allocation_id)).toEqual(['exec:w.s2']);
    expect(w.of('start-child').map((s) => s.childId)).toEqual(['w.s3']);
    w.now += 10_000;
    w.on({ type: 'child.ended', executionId: 'w', task: 2, status: 'completed' });
    expect(w.last).toMatchObject({ status: 'completed', finished_at: w.now });
    expect(w.of('write')).toEqual([{ type: 'write', doc: w.last, ended: true }]);
    expect(w.state.workloads.size).toBe(0);
  });
});

describe('failures', () => {
  it.each<[Mode, string[], string]>([
    // A refused reservation fails its scenario with the shortfall; what happens to the others:
    ['parallel', ['failed', 'completed'], 'failed'],
    ['sequential', ['failed', 'completed'], 'failed'],
    ['coordinated', ['failed', 'cancelled'], 'failed'],
  ])('%s: a refused reservation → scenarios %j, workload %s', (mode, states, status) => {
    const w = new World();
    w.submit(mode, [GPU, NONE]);
    w.on({ type: 'reserved', executionId: 'w', task: 0, ok: false, reason: 'gpu on n1: needs 1, 0 free' });
    expect(w.last!.workload!.scenarios[0]!.reason).toBe('resources refused: gpu on n1: needs 1, 0 free');
    expect(w.of('release')).toEqual([]); // nothing was held
    if (w.states()[1] === 'running') w.on({ type: 'child.ended', executionId: 'w', task: 1, status: 'completed' });
    expect(w.states()).toEqual(states);
    expect(w.last!.status).toBe(status);
    expect(w.last!.error).toMatch(/^s1: resources refused: gpu on n1/);
  });

  it('coordinated: a refusal releases what the others already reserved, and nothing starts', () => {
    const w = new World();
    w.submit('coordinated', [GPU, { licenses: 1 }]);
    w.on({ type: 'reserved', executionId: 'w', task: 1, ok: true });
    w.on({ type: 'reserved', executionId: 'w', task: 0, ok: false, reason: 'timeout' });
    expect(w.of('release').map((r) => r.allocation_id)).toEqual(['exec:w.s2']);
    expect(w.of('start-child')).toEqual([]);
    expect(w.last!.workload!.scenarios[1]!.reason).toBe('not started: scenario s1 could not start');
  });

  it('a failed child fails its scenario with the child error, and the workload', () => {
    const w = new World();
    w.submit('parallel', [NONE, NONE]);
    w.on({ type: 'child.ended', executionId: 'w', task: 0, status: 'failed', error: 'every generator failed' });
    w.on({ type: 'child.refused', executionId: 'w', task: 1, error: 'NOT_COORDINATOR' });
    expect(w.states()).toEqual(['failed', 'failed']);
    expect(w.last).toMatchObject({ status: 'failed', error: 's1: every generator failed; s2: not started: NOT_COORDINATOR' });
  });

  it('is refused when not in office, and a second delivery changes nothing', () => {
    const off = new World(false);
    off.submit('parallel', [NONE]);
    expect(off.answer).toMatchObject({ ok: false, error: { code: 'NOT_COORDINATOR' } });
    const w = new World();
    w.submit('parallel', [NONE]);
    expect(w.submit('parallel', [NONE])).toEqual([]);
  });
});

describe('cancel', () => {
  it('stops running children, releases reservations, and ends the workload cancelled', () => {
    const w = new World();
    w.submit('parallel', [GPU, NONE, { licenses: 1 }]);
    w.on({ type: 'reserved', executionId: 'w', task: 0, ok: true });
    w.now += 1_000;
    w.on({ type: 'cancel', executionId: 'w' });
    expect(w.answer).toBe('cancelled');
    expect(w.of('cancel-child').map((c) => c.childId)).toEqual(['w.s1', 'w.s2']);
    expect(w.of('release').map((r) => r.allocation_id).sort()).toEqual(['exec:w.s1', 'exec:w.s3']);
    expect(w.last).toMatchObject({ status: 'cancelled', finished_at: T0 + 1_000 });
    expect(w.states()).toEqual(['cancelled', 'cancelled', 'cancelled']);
    // A grant that arrives after the cancel goes straight back.
    w.on({ type: 'reserved', executionId: 'w', task: 2, ok: true });
    expect(w.of('release').map((r) => r.allocation_id)).toEqual(['exec:w.s3']);
    // Not a workload here: the lifecycle answers.
    w.on({ type: 'cancel', executionId: 'plain' });
    expect(w.answer).toBeUndefined();
  });
});

describe('failover', () => {
  function stored(): ExecutionDoc {
    const w = new World();
    w.submit('sequential', [GPU, NONE, NONE]);
    w.on({ type: 'reserved', executionId: 'w', task: 0, ok: true });
    return w.last!;
  }

  it('a new coordinator re-asks held reservations, restarts a child never stored, and moves on from ended ones', () => {
    const doc = stored();
    const w = new World();
    w.on({ type: 'office', ready: true, term: 4 });
    w.now += 5_000;
    w.on({ type: 'resumed', docs: [doc], children: {} });
    expect(w.of('reserve').map((r) => r.allocation_id)).toEqual(['exec:w.s1']);
    expect(w.of('start-child').map((s) => [s.childId, s.startAt])).toEqual([['w.s1', T0 + START_LEAD_MS]]);
    expect(w.last).toMatchObject({ term: 4, version: doc.version + 1 });

    const after = new World();
    after.on({ type: 'office', ready: true, term: 4 });
    after.on({ type: 'resumed', docs: [doc], children: { 'w.s1': { status: 'completed' } } });
    expect(after.states()).toEqual(['completed', 'running', 'waiting']);
    expect(after.of('release').map((r) => r.allocation_id)).toEqual(['exec:w.s1']);
    expect(after.of('start-child').map((s) => s.childId)).toEqual(['w.s2']);

    const running = new World();
    running.on({ type: 'resumed', docs: [doc], children: { 'w.s1': { status: 'running' } } });
    expect(running.of('start-child')).toEqual([]); // the lifecycle drives it
    // A late re-grant of a reservation already held changes nothing.
    running.on({ type: 'reserved', executionId: 'w', task: 0, ok: true });
    expect(running.effects).toEqual([]);
  });

  it('leaving office forgets the workloads (the next coordinator takes them over)', () => {
    const w = new World();
    w.submit('parallel', [NONE]);
    w.on({ type: 'office', ready: false, term: 3 });
    expect(w.state.workloads.size).toBe(0);
    expect(w.effects).toEqual([]);
  });
});
