// The executions driver applies effects and nothing else: completions and timers come back as messages
// for the owner's mailbox, and only handing them back changes the state. Real SQLite store, fake clock.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { McpError } from '../../../src/errors.js';
import type { PeerMessenger } from '../../../src/protocol/peer-messenger.js';
import { Store, type StoredDelta } from '../../../src/store/store.js';
import { FakeClock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/log.js';
import { ResultsCache } from '../../../actors/coordinator/replication/results-cache.js';
import type { ExecutionReplication } from '../../../src/execution/ports.js';
import { ExecutionsDriver } from '../../../actors/coordinator/executions/driver.js';
import type { ExecutionsMessage } from '../../../actors/coordinator/executions/messages.js';
import type { ExecutionDoc } from '../../../src/execution/contract.js';
import { splitEqually } from '../../../actors/test-distributor/split.js';
import { alive, planOf } from './harness.js';

interface Sent {
  to: string;
  kind: string;
  payload: unknown;
  mode: string;
  deadlineMs: number | undefined;
  resolve(): void;
  reject(error: unknown): void;
}

const flush = () => new Promise((r) => setImmediate(r));

describe('executions driver', () => {
  let dir: string;
  let store: Store;
  let clock: FakeClock;
  let sent: Sent[];
  let mailbox: ExecutionsMessage[];
  let timers: { key: string; ms: number; msg: ExecutionsMessage }[];
  let replicated: { docs: ExecutionDoc[]; deltas: StoredDelta[]; gathers: string[][]; gather?: () => void };
  let driver: ExecutionsDriver;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpdt-driver-'));
    store = Store.open(dir);
    clock = new FakeClock();
    sent = [];
    mailbox = [];
    timers = [];
    replicated = { docs: [], deltas: [], gathers: [] };
    const messenger = {
      send: (to: string, kind: string, payload: unknown, mode: string, options?: { deadlineMs?: number }) =>
        new Promise((resolve, reject) => sent.push({ to, kind, payload, mode, deadlineMs: options?.deadlineMs, resolve: () => resolve({ accepted: true }), reject })),
      post: () => Promise.resolve(),
      on: () => undefined,
    } as unknown as PeerMessenger;
    const replication: ExecutionReplication = {
      docChanged: (doc) => void replicated.docs.push(doc),
      deltaStored: (d) => void replicated.deltas.push(d),
      gather: (peers) => {
        replicated.gathers.push(peers);
        return new Promise<void>((resolve) => (replicated.gather = resolve));
      },
    };
    driver = new ExecutionsDriver('a', { store, messenger, replication, results: new ResultsCache(store), split: splitEqually }, {
      self: { tell: (msg) => mailbox.push(msg) > 0 },
      clock,
      log: silentLogger,
      startTimer: (key, ms, msg) => void timers.push({ key, ms, msg }),
    });
  });

  afterEach(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Hand every message in the mailbox back, as the coordinator actor does. */
  const deliver = () => {
    for (const msg of mailbox.splice(0)) driver.receive(msg);
  };

  async function inOffice() {
    driver.members(['a', 'b', 'c'], alive('b', 'c'));
    driver.tookOffice(1);
    expect(replicated.gathers).toEqual([['b', 'c']]);
    replicated.gather!();
    await flush();
    expect(driver.state.phase).toBe('gathering'); // gathered, but not yet handed back
    expect(mailbox).toEqual([{ type: 'executions.gathered', term: 1 }]);
    deliver();
    expect(driver.state.phase).toBe('ready');
  }

  it('sends assignments, and changes state only when their completions are handed back', async () => {
    await inOffice();
    const answer = driver.submit('x', planOf(1), { name: 'p' });
    expect(answer).toMatchObject({ ok: true, value: { execution_id: 'x', status: 'running', version: 1 } });
    expect(store.getExecution('x')?.status).toBe('running');
    expect(replicated.docs.map((d) => d.version)).toEqual([1]);
    expect(sent.map((s) => [s.to, s.kind, s.mode, s.deadlineMs])).toEqual([
      ['a', 'task.assign', 'exactly-once', 700],
      ['b', 'task.assign', 'exactly-once', 700],
      ['c', 'task.assign', 'exactly-once', 700],
    ]);
    expect(timers).toEqual([{ key: 'execution:x', ms: 1_700, msg: { type: 'executions.timer', key: 'x' } }]);
    clock.advance(3);
    sent[0]!.resolve();
    sent[1]!.reject(new McpError('PERMANENT_STALE_TERM', 'stale'));
    sent[2]!.reject(new McpError('HUB_DEADLINE', 'no ack'));
    await flush();
    expect(mailbox.map((m) => (m.type === 'executions.sent' ? [m.outcome, m.rttMs] : m.type))).toEqual([
      ['acknowledged', 3],
      ['refused', 3],
      ['timed-out', 3],
    ]);
    expect(driver.state.executions.get('x')!.doc.assignments.map((a) => a.state)).toEqual(['assigned', 'assigned', 'assigned']);
    deliver();
    expect(driver.state.executions.get('x')!.doc.assignments.map((a) => [a.state, a.assign_rtt_ms])).toEqual([
      ['running', 3],
      ['failed', undefined],
      ['failed', undefined],
    ]);
    expect(sent.slice(3).map((s) => [s.to, s.kind])).toEqual([
      ['b', 'task.stop'],
      ['c', 'task.stop'],
      ['a', 'task.resegment'],
    ]);
    expect(sent.at(-1)!.payload).toMatchObject({ segment: { from: 0, to: 1 } });
  });

  it('records deltas once, replicates new ones, and stores the final report when the execution ends', async () => {
    await inOffice();
    driver.submit('x', planOf(1), { name: 'p' });
    for (const s of sent.splice(0)) s.resolve();
    await flush();
    deliver();
    const delta = (node: string) => ({ run_id: `x:0:${node}`, seq: 1, final: true, totals: { requests: 5, successes: 5, failures: 0, dropped: 0, scheduled: 5, bytes_in: 0, bytes_out: 0, status: { '200': 5 }, errors: {} }, latency: '', service: '', targets: [], seconds: [] });
    // Its final delta in: its part is over.
    expect(driver.delta('x', 'a', 0, delta('a'))).toEqual({ ok: true, value: { status: 'running', share: 'ended' } });
    expect(driver.delta('x', 'a', 0, delta('a'))).toEqual({ ok: true, value: { status: 'running', share: 'ended' } });
    expect(store.deltas('x')).toHaveLength(1);
    expect(replicated.deltas).toHaveLength(1);
    driver.delta('x', 'b', 0, delta('b'));
    clock.advance(1_700);
    driver.delta('x', 'c', 0, delta('c'));
    const stored = store.getExecution('x')!.doc as ExecutionDoc;
    expect(stored.status).toBe('completed');
    expect(stored.report?.summary.total_requests).toBe(15);
    expect(replicated.docs.at(-1)!.report?.summary.total_requests).toBe(15);
    // Late and not live: stored, and answered from the store.
    expect(driver.delta('x', 'c', 0, { ...delta('c'), seq: 2 })).toEqual({ ok: true, value: { status: 'completed', share: 'ended' } });
    expect(store.deltas('x')).toHaveLength(4);
  });

  it('leaves office when told, and a completion from before is then ignored', async () => {
    await inOffice();
    driver.submit('x', planOf(1), { name: 'p' });
    driver.leftOffice();
    for (const s of sent.splice(0)) s.reject(new Error('late'));
    await flush();
    deliver();
    expect(sent).toEqual([]);
    expect(driver.cancel('x')).toMatchObject({ ok: false, error: { code: 'NOT_COORDINATOR' } });
  });
});
