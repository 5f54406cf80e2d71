// Executions and deltas for replication tests: a validated two-task plan, documents at chosen versions,
// and real deltas recorded by the load engine's Recorder.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_ERROR, Recorder, type ResultsDelta } from '../../../src/stats/index.js';
import { validatePlan } from '../../../src/plan/index.js';
import { Store, type StoredDelta } from '../../../src/store/store.js';
import { runIdOf, type ExecutionDoc } from '../../../src/execution/contract.js';

export const PLAN = validatePlan({
  name: 'replication',
  tasks: [
    { type: 'load_test', parameters: { targets: [{ url: 'http://127.0.0.1:1/' }], duration: 3, base_rps: 10 } },
    { type: 'load_test', parameters: { targets: [{ url: 'http://127.0.0.1:1/' }], duration: 3, base_rps: 10 } },
  ],
});

export function openStore(): Store {
  return Store.open(mkdtempSync(join(tmpdir(), 'mcpdt-repl-')));
}

export function docOf(id: string, changes: Partial<ExecutionDoc> = {}): ExecutionDoc {
  return {
    execution_id: id,
    name: PLAN.name,
    plan: PLAN,
    source: PLAN,
    status: 'running',
    created_at: 1_000,
    start_at: 2_000,
    finished_at: null,
    coordinator: 'a',
    term: 1,
    version: 1,
    assignments: ['a', 'b'].map((node_id) => ({ node_id, segment: { from: 0, to: 1 }, state: 'running' as const, updated_at: 1_000 })),
    ...changes,
  };
}

/** `count` deltas of one task run on `node`: `perDelta` requests each, with latencies; the last one final. */
export function deltasOf(executionId: string, task: number, node: string, count: number, perDelta = 5): StoredDelta[] {
  const run = runIdOf(executionId, task, node);
  const recorder = new Recorder(run, 1, 2_000);
  const out: ResultsDelta[] = [];
  let t = 2_000;
  for (let i = 1; i <= count; i++) {
    for (let k = 0; k < perDelta; k++, t += 37) recorder.response(0, t, t + 1, t + 2 + (k % 7), 200, NO_ERROR, 10, 20);
    out.push(recorder.takeDelta(i === count));
  }
  return out.map((delta) => ({ execution_id: executionId, run_id: run, seq: delta.seq, delta }));
}
