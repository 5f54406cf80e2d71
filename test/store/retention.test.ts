// The store's retention: ended executions past it go with their deltas; running ones and newer ones stay,
// and a peer started with a retention prunes its store at start.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, startPeerProcess, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { Store } from '../../src/store/store.js';
import { startRetention } from '../../src/store/retention.js';
import type { ExecutionDoc, ExecutionStatus } from '../../src/execution/contract.js';
import { validatePlan } from '../../src/plan/index.js';
import { silentLogger } from '../../src/util/log.js';
import { systemClock } from '../../src/util/clock.js';

const DAY = 86_400_000;

const doc = (id: string, created: number, status: ExecutionStatus): ExecutionDoc => ({
  execution_id: id,
  name: id,
  plan: validatePlan({ name: id, tasks: [{ type: 'load_test', parameters: { targets: [{ url: 'http://127.0.0.1:9/' }], duration: 1, base_rps: 1 } }] }),
  source: {},
  status,
  created_at: created,
  start_at: created,
  finished_at: status === 'running' ? null : created + 1_000,
  coordinator: 'c',
  term: 1,
  version: 1,
  assignments: [],
});

function fill(store: Store, now: number): void {
  const rows: [string, number, ExecutionStatus][] = [
    ['old-completed', now - 40 * DAY, 'completed'],
    ['old-failed', now - 31 * DAY, 'failed'],
    ['old-cancelled', now - 35 * DAY, 'cancelled'],
    ['old-running', now - 40 * DAY, 'running'],
    ['recent', now - 2 * DAY, 'completed'],
  ];
  for (const [id, at, status] of rows) {
    store.putExecution({ execution_id: id, term: 1, version: 1, status, created_at: at, doc: doc(id, at, status) });
    const delta = { run_id: `${id}:0:n`, seq: 1, final: true, totals: { requests: 1, successes: 1, failures: 0, dropped: 0, scheduled: 1, bytes_in: 0, bytes_out: 0, status: {}, errors: {} }, latency: '', service: '', targets: [], seconds: [] };
    store.addDelta({ execution_id: id, run_id: delta.run_id, seq: 1, delta });
  }
}

describe('store retention', () => {
  let dir = '';
  let peer: PeerProcess | undefined;
  afterEach(async () => {
    await peer?.kill('SIGKILL');
    peer = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('deletes ended executions older than the retention, with their deltas, and keeps the rest', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpdt-retention-'));
    const store = Store.open(dir);
    fill(store, Date.now());
    const retention = startRetention(store, 30, systemClock, silentLogger);
    retention.close();
    expect(store.listExecutions().map((e) => e.execution_id).sort()).toEqual(['old-running', 'recent']);
    for (const id of ['old-completed', 'old-failed', 'old-cancelled']) expect(store.deltas(id)).toEqual([]);
    expect(store.deltas('recent')).toHaveLength(1);
    expect(store.deltas('old-running')).toHaveLength(1);
    // 0 keeps everything.
    fill(store, Date.now());
    expect(startRetention(store, 0, systemClock, silentLogger).prune()).toBe(0);
    expect(store.listExecutions()).toHaveLength(5);
    store.close();
  });

  it('a peer started with MCP_STORE_RETENTION prunes its store at start', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpdt-retention-'));
    const store = Store.open(dir);
    fill(store, Date.now());
    store.close();
    peer = await startPeerProcess({ dataDir: dir, env: { MCP_STORE_RETENTION: '3' } });
    const list = await getJson<{ executions: { execution_id: string }[] }>(`${peer.httpUrl}/api/executions`);
    expect(list.executions.map((e) => e.execution_id).sort()).toEqual(['old-running', 'recent']);
  });
});
