// The live feed over a real SQLite store: deltas folded once per node and merged, per-second points
// only where a delta touched them, live thresholds, and ended executions let go after the retention.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { ExecutionFeed, MERGED } from '../../src/live/execution-feed.js';
import { liveExecution } from '../../src/live/live-status.js';
import { NO_ERROR, Recorder, createHistogram, recordMs } from '../../src/stats/index.js';
import { validatePlan } from '../../src/plan/index.js';
import { promBuckets } from '../../src/metrics/hdr-prometheus.js';
import type { ExecutionDoc } from '../../src/execution/contract.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-feed-'));
  store = Store.open(dir);
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const plan = validatePlan({ name: 'feed', tasks: [{ type: 'load_test', parameters: { targets: [{ url: 'http://127.0.0.1:9/' }], duration: 10, base_rps: 10, thresholds: ['p99 < 50ms'] } }] });
function putDoc(status: ExecutionDoc['status'], version: number): ExecutionDoc {
  const doc: ExecutionDoc = { execution_id: 'e1', name: 'feed', plan, source: {}, status, created_at: 0, start_at: 1_000, finished_at: status === 'running' ? null : 11_000, coordinator: 'c', term: 1, version, assignments: [{ node_id: 'a', segment: { from: 0, to: 0.5 }, state: 'running', updated_at: 0 }, { node_id: 'b', segment: { from: 0.5, to: 1 }, state: 'running', updated_at: 0 }] };
  store.putExecution({ execution_id: 'e1', term: 1, version, status, created_at: 0, doc });
  return doc;
}
/** `n` responses of `ms` each in second `t` on node `node`, as its next delta. */
function record(recorders: Map<string, Recorder>, node: string, t: number, n: number, ms: number) {
  const r = recorders.get(node) ?? new Recorder(`e1:0:${node}`, 1, 0);
  recorders.set(node, r);
  for (let i = 0; i < n; i++) r.response(0, t * 1000 + i, t * 1000 + i, t * 1000 + i + ms, 200, NO_ERROR, 10, 10);
  const delta = r.takeDelta();
  store.addDelta({ execution_id: 'e1', run_id: delta.run_id, seq: delta.seq, delta });
}

describe('ExecutionFeed', () => {
  it('folds deltas per node and merged, sending only the seconds that changed', () => {
    putDoc('running', 1);
    const feed = new ExecutionFeed(store, { retainMs: 5_000 });
    const recorders = new Map<string, Recorder>();
    record(recorders, 'a', 0, 10, 5);
    record(recorders, 'b', 0, 20, 5);
    expect(feed.poll(100)).toEqual(new Set(['e1']));
    expect(feed.lastArrivalAt).toBe(100);
    const first = feed.takeUpdates('e1');
    expect(first[MERGED]).toEqual([{ t: 0, rps: 30, errors: 0, p50: expect.closeTo(5, 1), p95: expect.closeTo(5, 1), p99: expect.closeTo(5, 1) }]);
    expect(first.a![0]!.rps).toBe(10);
    expect(first.b![0]!.rps).toBe(20);
    expect(feed.takeUpdates('e1')).toEqual({}); // nothing new, nothing sent

    record(recorders, 'a', 1, 5, 100);
    expect(feed.poll(200)).toEqual(new Set(['e1']));
    const second = feed.takeUpdates('e1');
    expect(Object.keys(second).sort()).toEqual([MERGED, 'a']);
    expect(second[MERGED]!.map((p) => p.t)).toEqual([1]);
    expect(second.a![0]!.p99).toBeCloseTo(100, 0);
    expect(feed.series('e1')[MERGED]!.map((p) => [p.t, p.rps])).toEqual([[0, 30], [1, 5]]);

    const { byTask, byNode } = feed.results('e1')!;
    const live = liveExecution(feed.executions()[0]!, byTask, byNode, 3_000);
    expect(live.summary.total_requests).toBe(35);
    expect(live.nodes.map((n) => [n.node_id, n.requests])).toEqual([['a', 15], ['b', 20]]);
    expect(live.thresholds).toEqual([expect.objectContaining({ expression: 'p99 < 50ms', passed: false })]);
    expect(live.progress_percent).toBe(20);
  });

  it('picks up an execution that was running before the feed started, and lets an ended one go after the retention', () => {
    putDoc('running', 1);
    const recorders = new Map<string, Recorder>();
    record(recorders, 'a', 0, 4, 1);
    const feed = new ExecutionFeed(store, { retainMs: 5_000 });
    expect(feed.results('e1')!.byNode.get('a')!.totals.requests).toBe(4);
    putDoc('completed', 2);
    feed.poll(10_000);
    expect(feed.executions()[0]!.status).toBe('completed');
    feed.poll(14_000);
    expect(feed.executions()).toHaveLength(1);
    feed.poll(15_001);
    expect(feed.executions()).toHaveLength(0);
    // A late delta of an ended execution does not bring it back.
    record(recorders, 'a', 1, 1, 1);
    expect(feed.poll(16_000).size).toBe(0);
  });
});

describe('ExecutionFeed memory', () => {
  it('keeps at most maxEnded ended executions, the most recently ended, whatever the retention', () => {
    const feed = new ExecutionFeed(store, { retainMs: 120_000, maxEnded: 3 });
    const ids = ['x1', 'x2', 'x3', 'x4', 'x5'];
    ids.forEach((id, i) => {
      const doc: ExecutionDoc = { execution_id: id, name: id, plan, source: {}, status: 'running', created_at: i, start_at: 1_000, finished_at: null, coordinator: 'c', term: 1, version: 1, assignments: [] };
      store.putExecution({ execution_id: id, term: 1, version: 1, status: 'running', created_at: i, doc });
    });
    feed.poll(1_000);
    expect(feed.executions()).toHaveLength(5);
    ids.forEach((id, i) => {
      const doc = store.getExecution(id)!.doc;
      store.putExecution({ execution_id: id, term: 1, version: 2, status: 'completed', created_at: i, doc: { ...doc, status: 'completed', finished_at: 2_000 + i, version: 2 } });
      feed.poll(2_000 + i);
    });
    expect(feed.executions().map((e) => e.execution_id).sort()).toEqual(['x3', 'x4', 'x5']);
  });

  it('keeps ended executions within maxEndedBytes too (their merged results hold decoded histograms), the most recently ended always', () => {
    const feed = new ExecutionFeed(store, { retainMs: 120_000, maxEnded: 8, maxEndedBytes: 3 * 1024 * 1024 });
    for (let i = 0; i < 6; i++) {
      const id = `y${i}`;
      const running: ExecutionDoc = { execution_id: id, name: id, plan, source: {}, status: 'running', created_at: i, start_at: 1_000, finished_at: null, coordinator: 'c', term: 1, version: 1, assignments: [] };
      store.putExecution({ execution_id: id, term: 1, version: 1, status: 'running', created_at: i, doc: running });
      const recorder = new Recorder(`${id}:0:a`, 1, 0);
      for (let k = 0; k < 20; k++) recorder.response(0, k, k, k + 3, 200, NO_ERROR, 10, 10);
      const delta = recorder.takeDelta(true);
      store.addDelta({ execution_id: id, run_id: delta.run_id, seq: delta.seq, delta });
      feed.poll(1_000 + i);
      store.putExecution({ execution_id: id, term: 1, version: 2, status: 'completed', created_at: i, doc: { ...running, status: 'completed', finished_at: 2_000 + i, version: 2 } });
      feed.poll(2_000 + i);
      const held = feed.held();
      // Within the bound, or the newest alone.
      expect(held.ended === 1 || held.endedBytes <= 3 * 1024 * 1024).toBe(true);
      expect(feed.results(id)?.byTask[0]!.totals.requests).toBe(20); // the newest stays
    }
    const held = feed.held();
    // About 1.5 MB each (merged per task and per node): two fit, not six.
    expect(held.ended).toBe(2);
    expect(feed.executions().map((e) => e.execution_id).sort()).toEqual(['y4', 'y5']);
  });
});

describe('promBuckets', () => {
  it('gives cumulative counts at the bounds from an HDR histogram of microseconds', () => {
    const h = createHistogram(64);
    for (const ms of [0.5, 2, 2, 30, 700, 20_000]) recordMs(h, ms);
    const b = promBuckets(h, [0.001, 0.005, 0.05, 1]);
    expect(b.buckets).toEqual([
      { le: '0.001', count: 1 },
      { le: '0.005', count: 3 },
      { le: '0.05', count: 4 },
      { le: '1', count: 5 },
      { le: '+Inf', count: 6 },
    ]);
    expect(b.count).toBe(6);
    expect(b.sum).toBeCloseTo(20.7345, 1);
  });
});
