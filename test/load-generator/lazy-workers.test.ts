// A peer boots no load worker with itself: a run boots those it needs when it arrives (one under 10,000
// req/s), and they end again after a while without runs. A run that arrives while its workers boot
// waits for them while its start allows, and is neither late nor short for it.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ActorSystem } from '../../src/actor/system.js';
import { ask } from '../../src/actor/ask.js';
import { systemClock } from '../../src/util/clock.js';
import { loadGenerator } from '../../actors/load-generator/actor.js';
import type { LoadGeneratorMessage, LoadTaskView } from '../../actors/load-generator/messages.js';
import { closeLoadWorkers, loadWorkersAlive, prepareLoadWorkers, setLoadWorkerCount, type LoadRun, type RunOutcome } from '../../actors/load-generator/index.js';
import { deferredRun } from '../../actors/load-generator/deferred-run.js';
import { validateLoadTask, type LoadTask } from '../../src/plan/index.js';
import { START_DELAY_AT_REST_MS } from '../../actors/coordinator/executions/model.js';
import type { Actor } from '../../src/actor/actor.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { waitFor } from '../../scripts/lib/peer-process.js';

let target: CountingTarget | undefined;
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.stop();
  system = undefined;
  await target?.close();
  target = undefined;
});
afterAll(() => closeLoadWorkers());

async function generator(): Promise<Actor<LoadGeneratorMessage, unknown>> {
  setLoadWorkerCount(2);
  system = new ActorSystem({ clock: systemClock });
  return system.spawn(loadGenerator());
}
const start = (gen: Actor<LoadGeneratorMessage, unknown>, task: LoadTask, startAt?: number) =>
  ask<LoadGeneratorMessage, string>(gen, (reply) => ({ type: 'load.start', request: { task, name: 't', ...(startAt !== undefined ? { startAt } : {}) }, reply }));
const view = (gen: Actor<LoadGeneratorMessage, unknown>, taskId: string) => ask<LoadGeneratorMessage, LoadTaskView | undefined>(gen, (reply) => ({ type: 'load.get', taskId, reply }));
const finished = (gen: Actor<LoadGeneratorMessage, unknown>, taskId: string) =>
  waitFor(async () => ((v) => (v?.state === 'finished' ? v : undefined))(await view(gen, taskId)), 20_000, 'the run to finish', 50);

describe('load workers: none at rest, booted on demand', () => {
  it('the generator boots none at rest; a run boots the one it needs, waits for it, then starts on time with every request', async () => {
    await closeLoadWorkers();
    const gen = await generator();
    await new Promise((r) => setTimeout(r, 300));
    expect(loadWorkersAlive()).toBe(0); // none at rest
    target = await startCountingTarget();
    const task = validateLoadTask({ targets: [{ url: `${target.url}/a` }], duration: 1, base_rps: 200, max_lateness: '5s' });
    // As an assignment to a cluster at rest: a common start START_DELAY_AT_REST_MS ahead (a little less, for the message's way).
    const startAt = Date.now() + START_DELAY_AT_REST_MS - 50;
    const id = await start(gen, task, startAt);
    expect(loadWorkersAlive()).toBe(1); // one is enough for 200 req/s: one boots
    expect((await view(gen, id))!.state).toBe('waiting');
    const done = await finished(gen, id);
    expect(done.status).toBe('completed');
    expect(target.count()).toBe(200);
    const arrivals = target.arrivals();
    // Not early, and not late for the boot: the first arrival is due 5 ms after the start.
    expect(arrivals[0]!).toBeGreaterThanOrEqual(startAt);
    expect(arrivals[0]! - startAt).toBeLessThan(250); // a boot would cost several hundred ms; this allows for a busy machine
    expect(done.started_at).toBe(startAt);
  }, 30_000);

  it('a run whose start leaves no time for the boot begins at once on this thread, exact anyway', async () => {
    const gen = await generator();
    await closeLoadWorkers(); // none up
    target = await startCountingTarget();
    const task = validateLoadTask({ targets: [{ url: `${target.url}/b` }], duration: 1, base_rps: 100, max_lateness: '5s' });
    const startAt = Date.now() + 320; // just the warm-up
    const id = await start(gen, task, startAt);
    expect((await finished(gen, id)).status).toBe('completed');
    expect(target.count()).toBe(100);
    expect(target.arrivals()[0]! - startAt).toBeLessThan(250);
  }, 30_000);

  it('idle workers are ended when told to retire, and not while a run is under way', async () => {
    await closeLoadWorkers();
    const gen = await generator();
    await prepareLoadWorkers(2); // as after a run that needed two
    target = await startCountingTarget();
    const task = validateLoadTask({ targets: [{ url: `${target.url}/c` }], duration: 1, base_rps: 50, max_lateness: '5s' });
    const id = await start(gen, task, Date.now() + 2_000);
    gen.tell({ type: 'workers.retire' }); // a run is under way: kept
    await new Promise((r) => setTimeout(r, 100));
    expect(loadWorkersAlive()).toBe(2);
    await finished(gen, id);
    expect(target.count()).toBe(50);
    gen.tell({ type: 'workers.retire' });
    await waitFor(() => (loadWorkersAlive() === 0 ? true : undefined), 5_000, 'the workers to end');
  }, 30_000);
});

describe('a deferred run', () => {
  function fakeRun(calls: string[]): LoadRun {
    const { promise, resolve } = Promise.withResolvers<RunOutcome>();
    return {
      id: 'r',
      startAt: 42,
      workers: 1,
      state: 'running',
      done: promise,
      stop: () => {
        calls.push('stop');
        resolve({ id: 'r', status: 'stopped', startedAt: 42, finishedAt: 43, durationS: 0, results: startLoadResults() });
      },
      setSegment: (from, to, at) => void calls.push(`segment ${from}..${to} at ${at}`),
      grant: (from, until, sure) => void calls.push(`grant ${from}..${until} sure ${sure}`),
      release: (at) => void calls.push(`release at ${at}`),
      snapshot: () => startLoadResults(),
      progress: () => ({ requests: 7, failures: 0, dropped: 0, p50Ms: 0, p99Ms: 0 }),
    };
  }
  const startLoadResults = () => deferredRun('x', 0, () => fakeRun([])).snapshot();

  it('answers as a waiting run until it begins, then applies what was asked meanwhile, in order', async () => {
    const calls: string[] = [];
    const run = deferredRun('r', 1_000, () => fakeRun(calls));
    expect(run).toMatchObject({ state: 'waiting', workers: 0, startAt: 1_000, begun: false });
    expect(run.progress().requests).toBe(0);
    expect(run.snapshot().totals.requests).toBe(0);
    run.grant(1_000, 2_000, 1_800);
    run.setSegment(0.2, 0.6, 1_500);
    expect(() => run.setSegment(0.7, 0.1)).toThrow(); // refused at once, as a running run would
    run.release(1_900);
    run.stop();
    expect(calls).toEqual([]);
    run.begin();
    run.begin(); // once
    expect(calls).toEqual(['grant 1000..2000 sure 1800', 'segment 0.2..0.6 at 1500', 'release at 1900', 'stop']);
    expect(run).toMatchObject({ state: 'running', workers: 1, startAt: 42, begun: true });
    expect(run.progress().requests).toBe(7);
    await expect(run.done).resolves.toMatchObject({ status: 'stopped' });
  });

  it('a run that cannot start fails its done promise instead of throwing at the caller', async () => {
    const run = deferredRun('r', 0, () => {
      throw new Error('no such thing');
    });
    expect(() => run.begin()).not.toThrow();
    await expect(run.done).rejects.toThrow('no such thing');
  });
});
