// One contract for the store, run on each SQLite binding this Node can load: better-sqlite3 (the native
// addon) and node:sqlite (built into Node 22.13+; skipped, saying so, on older Node). Also: a file written
// through one binding is read through the other, and the data-directory lock holds on each.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store, STORE_FILE, type StoredExecution } from '../../src/store/store.js';
import { availableSqliteDrivers, openSqlite, type SqliteDriverName } from '../../src/store/sqlite.js';
import { loadElectionState, saveElectionState } from '../../src/store/election-state.js';
import { lockDataDir } from '../../src/security/data-dir-lock.js';
import type { ExecutionDoc } from '../../src/execution/contract.js';
import type { ResultsDelta } from '../../src/stats/delta.js';
import { validatePlan } from '../../src/plan/index.js';

const AVAILABLE = availableSqliteDrivers();
const DRIVERS: SqliteDriverName[] = ['better-sqlite3', 'node:sqlite'];
for (const d of DRIVERS) if (!AVAILABLE.includes(d)) console.warn(`store contract: ${d} cannot be loaded on Node ${process.versions.node}; its half is skipped`);

const doc = (id: string, created: number, status = 'completed', secret?: string): ExecutionDoc => ({
  execution_id: id,
  name: id,
  plan: validatePlan({
    name: id,
    tasks: [{ type: 'load_test', parameters: { targets: [{ url: 'http://127.0.0.1:9/', ...(secret ? { headers: { authorization: { value: secret, secret: true } } } : {}) }], duration: 1, base_rps: 1 } }],
  }),
  source: {},
  status: status as ExecutionDoc['status'],
  created_at: created,
  start_at: created,
  finished_at: created + 1_000,
  coordinator: 'c',
  term: 1,
  version: 1,
  assignments: [],
});
const row = (id: string, created: number, term = 1, version = 1, status = 'completed'): StoredExecution => ({ execution_id: id, term, version, status, created_at: created, doc: doc(id, created, status) });
const counters = (requests: number) => ({ requests, successes: requests, failures: 0, dropped: 0, bytes_in: 0, bytes_out: 0, status: { '200': requests }, errors: {} });
const delta = (runId: string, seq: number, requests: number) => ({ run_id: runId, seq, final: false, totals: counters(requests) }) as unknown as ResultsDelta;

describe.each(DRIVERS)('store contract on %s', (driver) => {
  const can = AVAILABLE.includes(driver);
  let dir = '';
  let store: Store;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpdt-contract-'));
    if (can) store = Store.open(dir, { driver });
  });
  afterEach(async () => {
    if (can) store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.runIf(can)('uses the binding asked for', () => {
    expect(store.driver).toBe(driver);
  });

  it.runIf(can)('keeps values, and the election state through them', () => {
    expect(store.getValue('nope')).toBeUndefined();
    store.setValue('k', { a: [1, 'x'] });
    store.setValue('k', { a: [2] });
    expect(store.getValue('k')).toEqual({ a: [2] });
    saveElectionState(store, { term: 4, votedFor: 'p' });
    expect(loadElectionState(store)).toEqual({ term: 4, votedFor: 'p' });
  });

  it.runIf(can)('keeps the newest version of an execution by (term, version), an ended one over any unfinished one, with secrets redacted', () => {
    expect(store.putExecution(row('a', 1_000, 1, 2, 'running'))).toBe(true);
    expect(store.putExecution(row('a', 1_000, 1, 1, 'running'))).toBe(false);
    expect(store.putExecution(row('a', 1_000, 1, 2, 'running'))).toBe(false);
    expect(store.putExecution({ ...row('a', 1_000, 2, 1, 'running') })).toBe(true);
    expect(store.getExecution('a')).toMatchObject({ term: 2, version: 1, status: 'running' });
    expect(store.head('a')).toEqual({ execution_id: 'a', term: 2, version: 1, status: 'running', created_at: 1_000 });
    // Ended, it never runs again: not even a higher term's running version (a coordinator that took over a stale replica) replaces the end.
    expect(store.putExecution(row('a', 1_000, 2, 2, 'completed'))).toBe(true);
    expect(store.putExecution(row('a', 1_000, 3, 1, 'running'))).toBe(false);
    expect(store.putExecution(row('a', 1_000, 2, 3, 'completed'))).toBe(true);
    // Of two ends the first stands: a later term's end came from a takeover of a stale replica.
    expect(store.putExecution(row('a', 1_000, 3, 9, 'failed'))).toBe(false);
    expect(store.head('a')).toEqual({ execution_id: 'a', term: 2, version: 3, status: 'completed', created_at: 1_000 });
    expect(store.putExecution(row('a', 1_000, 1, 9, 'completed'))).toBe(true);
    expect(store.head('a')).toMatchObject({ term: 1, version: 9 });
    // An ended version replaces an unfinished one of a higher term.
    store.putExecution(row('b', 1_000, 5, 1, 'running'));
    expect(store.putExecution(row('b', 1_000, 4, 7, 'completed'))).toBe(true);
    store.putExecution({ ...row('s', 500), doc: doc('s', 500, 'completed', 'Bearer hunter2-secret') });
    expect(JSON.stringify(store.getExecution('s'))).not.toContain('hunter2-secret');
  });

  it.runIf(can)('lists executions newest first, by status, and their heads through json_each', () => {
    store.putExecution(row('old', 1_000));
    store.putExecution(row('mid', 2_000, 1, 1, 'running'));
    store.putExecution(row('new', 3_000, 1, 1, 'failed'));
    expect(store.listExecutions().map((e) => e.execution_id)).toEqual(['new', 'mid', 'old']);
    expect(store.listExecutions(['completed', 'failed']).map((e) => e.execution_id)).toEqual(['new', 'old']);
    expect(store.headsIn(['running']).map((h) => h.execution_id)).toEqual(['mid']);
    expect(store.newestHeads(['running'], 1).map((h) => h.execution_id)).toEqual(['new']);
    expect(store.newestHeads([], 10, 1_500, 3_000).map((h) => h.execution_id)).toEqual(['mid']);
  });

  it.runIf(can)('stores each delta once and reads them by execution, by range, after a cursor, and summed', () => {
    expect(store.lastDeltaRow()).toBe(0);
    expect(store.addDelta({ execution_id: 'e', run_id: 'r1', seq: 1, delta: delta('r1', 1, 10) })).toBe(true);
    expect(store.addDelta({ execution_id: 'e', run_id: 'r1', seq: 1, delta: delta('r1', 1, 99) })).toBe(false);
    store.addDelta({ execution_id: 'e', run_id: 'r1', seq: 2, delta: delta('r1', 2, 5) });
    store.addDelta({ execution_id: 'e', run_id: 'r2', seq: 1, delta: delta('r2', 1, 7) });
    store.addDelta({ execution_id: 'other', run_id: 'x', seq: 1, delta: delta('x', 1, 1) });
    expect(store.deltas('e').map((d) => [d.run_id, d.seq, d.delta.totals.requests])).toEqual([['r1', 1, 10], ['r1', 2, 5], ['r2', 1, 7]]);
    expect(store.runSpans('e').sort((a, b) => a.run_id.localeCompare(b.run_id))).toEqual([
      { run_id: 'r1', count: 2, first: 1, last: 2 },
      { run_id: 'r2', count: 1, first: 1, last: 1 },
    ]);
    expect(store.runSeqs('e', 'r1').sort()).toEqual([1, 2]);
    expect(store.deltaTexts('e', 'r1', 2, 9).map((d) => JSON.parse(d.delta).totals.requests)).toEqual([5]);
    expect(Object.fromEntries(store.requestsByRun('e'))).toEqual({ r1: 15, r2: 7 });
    const last = store.lastDeltaRow();
    expect(last).toBe(4);
    expect(store.deltasAfter(2).map((d) => [d.rowid, d.execution_id, d.seq])).toEqual([[3, 'e', 1], [4, 'other', 1]]);
  });

  it.runIf(can)('prunes ended executions older than a date, with their deltas, in one go', () => {
    store.putExecution(row('old-done', 1_000));
    store.putExecution(row('old-running', 1_000, 1, 1, 'running'));
    store.putExecution(row('new-done', 5_000));
    store.addDelta({ execution_id: 'old-done', run_id: 'r', seq: 1, delta: delta('r', 1, 1) });
    store.addDelta({ execution_id: 'new-done', run_id: 'r', seq: 1, delta: delta('r', 1, 1) });
    expect(store.prune(['completed', 'failed', 'cancelled'], 2_000)).toBe(1);
    expect(store.listExecutions().map((e) => e.execution_id).sort()).toEqual(['new-done', 'old-running']);
    expect(store.deltas('old-done')).toEqual([]);
    expect(store.deltas('new-done')).toHaveLength(1);
  });

  it.runIf(can)('commits a transaction that returns, rolls back one that throws, and a nested one alone', () => {
    expect(store.transaction(() => store.addDelta({ execution_id: 't', run_id: 'r', seq: 1, delta: delta('r', 1, 1) }))).toBe(true);
    expect(() =>
      store.transaction(() => {
        store.addDelta({ execution_id: 't', run_id: 'r', seq: 2, delta: delta('r', 2, 1) });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    store.transaction(() => {
      store.addDelta({ execution_id: 't', run_id: 'r', seq: 3, delta: delta('r', 3, 1) });
      expect(() =>
        store.transaction(() => {
          store.addDelta({ execution_id: 't', run_id: 'r', seq: 4, delta: delta('r', 4, 1) });
          throw new Error('inner');
        }),
      ).toThrow('inner');
    });
    expect(store.runSeqs('t', 'r').sort()).toEqual([1, 3]);
  });

  it.runIf(can)('skips a damaged row and reports it once; what was written is there after reopening', () => {
    store.putExecution(row('good', 1_000));
    store.putExecution(row('bad', 2_000));
    store.close();
    const raw = openSqlite(join(dir, STORE_FILE), { driver });
    raw.prepare("UPDATE executions SET doc = '{\"execution_id\": \"bad\", trunc' WHERE execution_id = 'bad'").run();
    raw.close();
    const reported: string[] = [];
    store = Store.open(dir, { driver, onDamaged: (id) => reported.push(id) });
    expect(store.listExecutions().map((e) => e.execution_id)).toEqual(['good']);
    expect(store.getExecution('bad')).toBeUndefined();
    expect(reported).toEqual(['bad']);
  });

  it.runIf(can)('the data-directory lock refuses a second holder until released', () => {
    const lockDir = join(dir, 'locked');
    const lock = lockDataDir(lockDir, driver);
    expect(() => lockDataDir(lockDir, driver)).toThrowError(expect.objectContaining({ code: 'DATA_DIR_LOCKED' }));
    lock.release();
    lockDataDir(lockDir, driver).release();
  });
});

describe.runIf(AVAILABLE.length === 2)('one file, both bindings', () => {
  it('what better-sqlite3 wrote, node:sqlite reads and extends, and back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mcpdt-contract-'));
    try {
      const a = Store.open(dir, { driver: 'better-sqlite3' });
      a.putExecution(row('x', 1_000));
      a.addDelta({ execution_id: 'x', run_id: 'r', seq: 1, delta: delta('r', 1, 3) });
      a.close();
      const b = Store.open(dir, { driver: 'node:sqlite' });
      expect(b.getExecution('x')?.doc.name).toBe('x');
      b.addDelta({ execution_id: 'x', run_id: 'r', seq: 2, delta: delta('r', 2, 4) });
      b.close();
      const c = Store.open(dir, { driver: 'better-sqlite3' });
      expect(Object.fromEntries(c.requestsByRun('x'))).toEqual({ r: 7 });
      c.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
