// The load generator keeps its finished runs for GET /load/metrics with their results frozen (encoded):
// at most 20, the newest, thawed to exactly what the run produced, and listed without decoding anything.
// Real runs (on this thread) against a real counting target.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActorSystem } from '../../src/actor/system.js';
import { ask } from '../../src/actor/ask.js';
import { loadGenerator } from '../../actors/load-generator/actor.js';
import { setLoadWorkerCount } from '../../actors/load-generator/worker-pool.js';
import type { LoadGeneratorMessage, LoadTaskView } from '../../actors/load-generator/messages.js';
import type { RunOutcome } from '../../actors/load-generator/run.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { summarize } from '../../src/stats/index.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';

let target: CountingTarget;
let system: ActorSystem;
beforeAll(async () => {
  setLoadWorkerCount(0);
  target = await startCountingTarget();
  system = new ActorSystem();
});
afterAll(async () => {
  await system.stop();
  await target.close();
});

describe('finished runs', () => {
  it('25 runs: the newest 20 stay, frozen, and read back exactly as they ended', async () => {
    const generator = await system.spawn(loadGenerator());
    const task = validateLoadTask({ targets: [{ url: target.url }], duration: 0.2, base_rps: 50 }, '');
    const outcomes = new Map<string, RunOutcome>();
    const ids: string[] = [];
    // Five at a time: the whole test stays around a few seconds.
    for (let batch = 0; batch < 5; batch++) {
      const done = Array.from({ length: 5 }, async () => {
        let finished!: (o: RunOutcome) => void;
        const outcome = new Promise<RunOutcome>((r) => (finished = r));
        const id = await ask<LoadGeneratorMessage, string>(generator, (reply) => ({ type: 'load.start', request: { task, name: 'small', onDone: finished }, reply }));
        ids.push(id);
        outcomes.set(id, await outcome);
      });
      await Promise.all(done);
    }
    const list = await ask<LoadGeneratorMessage, LoadTaskView[]>(generator, (reply) => ({ type: 'load.list', reply }));
    expect(list).toHaveLength(20);
    expect(new Set(list.map((v) => v.task_id))).toEqual(new Set(ids.slice(5)));
    for (const view of list) {
      const outcome = outcomes.get(view.task_id)!;
      expect(view.state).toBe('finished');
      expect(view.outcome?.status).toBe(outcome.status);
      expect(view.requests).toBe(outcome.results.totals.requests);
      expect(view.requests).toBe(10);
    }
    const one = await ask<LoadGeneratorMessage, LoadTaskView | undefined>(generator, (reply) => ({ type: 'load.get', taskId: ids[24]!, reply }));
    expect(summarize(one!.results, 0.2)).toEqual(summarize(outcomes.get(ids[24]!)!.results, 0.2));
    expect(await ask<LoadGeneratorMessage, LoadTaskView | undefined>(generator, (reply) => ({ type: 'load.get', taskId: ids[0]!, reply }))).toBeUndefined();
    expect(target.count()).toBe(250);
  });
});
