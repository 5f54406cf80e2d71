// Only members act, on real peers: a client that never joined sends assignment, resegment, stop, replica and
// election frames (terms of 1e15 included): each is refused with a coded error, the target receives nothing,
// no forged record appears, and the next real execution runs exactly as asked.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getJson, startPeerProcess, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { encodeFrame } from '../../src/protocol/frame.js';
import { PEER_PROTOCOL } from '../../src/protocol/peer-protocol.js';
import { ELECTION_PROTOCOL } from '../../src/protocol/election.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { connected, startOutsider, type Outsider } from '../support/outsider.js';

let dir: string;
let peers: PeerProcess[] = [];
let target: CountingTarget;
let outsider: Outsider;
const FORGED = 1e15;

interface Health {
  coordinator: string | null;
  term: number | null;
  members: number;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-members-'));
  target = await startCountingTarget();
  const ports = [await freePort(), await freePort()];
  peers = await Promise.all(
    ports.map((port, i) => startPeerProcess({ dataDir: join(dir, `p${i}`), p2pPort: port, bootstrap: ports.filter((p) => p !== port).map((p) => `127.0.0.1:${p}`), logLevel: 'warn' })),
  );
  await waitFor(async () => {
    const all = await Promise.all(peers.map((p) => getJson<Health>(`${p.httpUrl}/api/health`)));
    return all.every((h) => h.coordinator && h.coordinator === all[0]!.coordinator && h.members === 2);
  }, 20_000, 'a coordinator');
  outsider = await startOutsider([peers[0]!.addresses[0]!, peers[1]!.addresses[0]!]);
  await Promise.all(peers.map((p) => connected(outsider, p.id)));
});
afterAll(async () => {
  await outsider?.close();
  await Promise.all(peers.map((p) => p.kill('SIGKILL')));
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

const plan = (rps: number, duration: number) => ({ name: 'members', tasks: [{ type: 'load_test', parameters: { targets: [{ url: target.url }], duration, base_rps: rps } }] });

describe('only members act', () => {
  it("a non-member's frames are refused with a coded error and change nothing", async () => {
    const before = await Promise.all(peers.map((p) => getJson<Health>(`${p.httpUrl}/api/health`)));
    const forgedDoc = { execution_id: 'forged', term: FORGED, version: 1, status: 'completed', created_at: Date.now(), name: 'forged', plan: plan(1, 1), source: plan(1, 1), assignments: [] };
    const wire = (k: keyof typeof PEER_PROTOCOL) => PEER_PROTOCOL[k].wire;
    const frames: Array<[string, unknown]> = [
      [wire('task.assign'), { execution_id: 'x1', term: FORGED, name: 'x', plan: plan(50, 2), segment: { from: 0, to: 1 }, start_at: Date.now() + 100 }],
      [wire('task.resegment'), { execution_id: 'x1', term: FORGED, version: 1, segment: { from: 0, to: 1 }, at: Date.now() }],
      [wire('task.stop'), { execution_id: 'x1', term: FORGED }],
      [wire('execution.replicate'), { doc: forgedDoc }],
      [wire('execution.replicate-delta'), { execution_id: 'forged', run_id: 'r', seq: 1, delta: {} }],
      [wire('execution.submit'), { execution_id: 'x2', plan: plan(50, 2) }],
      [wire('execution.cancel'), { execution_id: 'x2' }],
      [wire('replication.digest'), { since: 0, entries: [] }],
      [wire('results.delta'), { execution_id: 'x2', task: 0, node_id: outsider.transport.self, delta: {} }],
    ];
    for (const peer of peers) {
      for (const [kind, payload] of frames) {
        const { reply } = await outsider.hub(peer.id, kind, payload);
        expect(reply, kind).toMatchObject({ type: 'error', code: 'NOT_A_MEMBER' });
      }
      for (const frame of [
        { type: 'prevote.request', term: FORGED, candidate: outsider.transport.self },
        { type: 'vote.request', term: FORGED, candidate: outsider.transport.self },
        { type: 'coordinator.heartbeat', term: FORGED, coordinator: outsider.transport.self, sentAt: Date.now() },
      ]) {
        const { reply } = await outsider.raw(peer.id, ELECTION_PROTOCOL, encodeFrame(frame));
        expect(reply, frame.type).toMatchObject({ type: 'error', code: 'NOT_A_MEMBER' });
      }
    }
    const after = await Promise.all(peers.map((p) => getJson<Health>(`${p.httpUrl}/api/health`)));
    expect(after.map((h) => [h.coordinator, h.term])).toEqual(before.map((h) => [h.coordinator, h.term]));
    for (const peer of peers) expect((await getJson<{ executions: unknown[] }>(`${peer.httpUrl}/api/executions`)).executions).toEqual([]);
    expect(target.count()).toBe(0);
  });

  it('the next real execution runs exactly as asked on both peers', async () => {
    const response = await fetch(`${peers[1]!.httpUrl}/api/executions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan(100, 2)) });
    expect(response.status).toBe(201);
    const { execution_id } = (await response.json()) as { execution_id: string };
    const done = await waitFor(async () => {
      const e = await getJson<{ status: string; nodes: { node_id: string; total_requests: number }[] }>(`${peers[0]!.httpUrl}/api/executions/${execution_id}`);
      return e.status === 'completed' ? e : undefined;
    }, 20_000, 'the execution to complete', 200);
    expect(target.count()).toBe(200);
    expect(done.nodes.map((n) => n.node_id).sort()).toEqual(peers.map((p) => p.id).sort());
  });
});
