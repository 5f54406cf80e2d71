// Damaged execution rows are skipped and reported: one bad row never takes the whole list down.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../../src/store/sqlite.js';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, startPeerProcess, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { Store, STORE_FILE } from '../../src/store/store.js';
import type { ExecutionDoc } from '../../src/execution/contract.js';
import { validatePlan } from '../../src/plan/index.js';

const doc = (id: string, created: number): ExecutionDoc => ({
  execution_id: id,
  name: id,
  plan: validatePlan({ name: id, tasks: [{ type: 'load_test', parameters: { targets: [{ url: 'http://127.0.0.1:9/' }], duration: 1, base_rps: 1 } }] }),
  source: {},
  status: 'completed',
  created_at: created,
  start_at: created,
  finished_at: created + 1_000,
  coordinator: 'c',
  term: 1,
  version: 1,
  assignments: [],
});

async function storeWithOneDamagedRow(dir: string): Promise<void> {
  const store = Store.open(dir);
  // Recent rows: a peer prunes ended executions older than its retention (30 days) at start.
  const now = Date.now();
  for (const [id, at] of [['good-1', now - 3_000], ['bad', now - 2_000], ['good-2', now - 1_000]] as const) {
    store.putExecution({ execution_id: id, term: 1, version: 1, status: 'completed', created_at: at, doc: doc(id, at) });
  }
  store.close();
  const db = openSqlite(join(dir, STORE_FILE));
  db.prepare("UPDATE executions SET doc = '{\"execution_id\": \"bad\", trunc' WHERE execution_id = 'bad'").run();
  db.close();
}

describe('damaged execution rows', () => {
  let dir = '';
  let peer: PeerProcess | undefined;
  afterEach(async () => {
    await peer?.kill('SIGKILL');
    peer = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('the store skips a damaged row, reports it once, and reads the others', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpdt-damaged-'));
    await storeWithOneDamagedRow(dir);
    const reported: string[] = [];
    const store = Store.open(dir, { onDamaged: (id) => reported.push(id) });
    expect(store.listExecutions().map((e) => e.execution_id)).toEqual(['good-2', 'good-1']);
    expect(store.getExecution('bad')).toBeUndefined();
    expect(store.getExecution('good-1')?.doc.name).toBe('good-1');
    expect(store.damaged()).toEqual([{ execution_id: 'bad', error: expect.stringContaining('not JSON') }]);
    expect(reported).toEqual(['bad']);
    store.close();
  });

  it('GET /api/executions still answers on a live peer, listing the damaged row apart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpdt-damaged-'));
    await storeWithOneDamagedRow(dir);
    // Its rows are dated 1970: retention 0 keeps them (the default 30 days would prune them at start).
    peer = await startPeerProcess({ dataDir: dir, env: { MCP_STORE_RETENTION: '0' } });
    const list = await getJson<{ executions: { execution_id: string }[]; damaged: { execution_id: string }[] }>(`${peer.httpUrl}/api/executions`);
    expect(list.executions.map((e) => e.execution_id).sort()).toEqual(['good-1', 'good-2']);
    expect(list.damaged.map((d) => d.execution_id)).toEqual(['bad']);
    const one = await fetch(`${peer.httpUrl}/api/executions/good-1`);
    expect(one.status).toBe(200);
  });
});
