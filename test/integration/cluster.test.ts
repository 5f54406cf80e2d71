// Real peers (`node peer.js`) on 127.0.0.1 with static bootstrap and mDNS off.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lpStream } from '@libp2p/utils';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { freePort, getJson, startPeerProcess, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { Libp2pTransport } from '../../src/transport/libp2p/transport.js';
import { silentLogger } from '../../src/util/log.js';
import { HELLO_PROTOCOL } from '../../src/protocol/membership.js';

interface NodesBody {
  nodes: { node_id: string; status: string; http_url: string; capabilities: string[]; location: string }[];
}

const statusSeenBy = async (observer: PeerProcess, nodeId: string) =>
  (await getJson<NodesBody>(`${observer.httpUrl}/api/nodes`)).nodes.find((n) => n.node_id === nodeId)?.status ?? 'absent';

describe('a cluster of real peers on loopback', () => {
  let dir: string;
  let p2pPorts: number[];
  const peers: PeerProcess[] = [];
  const start = (i: number) =>
    startPeerProcess({
      dataDir: join(dir, `peer-${i}`),
      p2pPort: p2pPorts[i]!,
      bootstrap: p2pPorts.filter((_, j) => j !== i).map((p) => `127.0.0.1:${p}`),
      env: { MCP_NODE_LOCATION: i === 0 ? 'eu-west' : 'us-east', MCP_NODE_CAPABILITIES: i === 2 ? 'http_load,security' : 'http_load' },
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpdt-cluster-'));
    p2pPorts = [await freePort(), await freePort(), await freePort()];
  });

  afterAll(async () => {
    await Promise.all(peers.map((p) => p.kill('SIGKILL')));
    await rm(dir, { recursive: true, force: true });
  });

  it('3 peers all list 3 alive nodes within 5 s', async () => {
    const started = Date.now();
    peers.push(...(await Promise.all([0, 1, 2].map(start))));
    await waitFor(
      async () => {
        for (const p of peers) {
          const { nodes } = await getJson<NodesBody>(`${p.httpUrl}/api/nodes`);
          if (nodes.filter((n) => n.status === 'alive').length !== 3) return false;
        }
        return true;
      },
      5_000,
      'every peer to list 3 alive nodes',
    );
    expect(Date.now() - started).toBeLessThan(5_000 + 2_000);
    const health = await getJson<{ status: string; node_id: string; members: number; coordinator: null }>(`${peers[0]!.httpUrl}/api/health`);
    expect(health).toMatchObject({ status: 'ok', node_id: peers[0]!.id, members: 3, coordinator: null });
  });

  it('filters /api/nodes by status, capability and location', async () => {
    const base = peers[0]!.httpUrl;
    expect((await getJson<NodesBody>(`${base}/api/nodes?capability=security`)).nodes.map((n) => n.node_id)).toEqual([peers[2]!.id]);
    expect((await getJson<NodesBody>(`${base}/api/nodes?location=eu-west`)).nodes.map((n) => n.node_id)).toEqual([peers[0]!.id]);
    expect((await getJson<NodesBody>(`${base}/api/nodes?status=dead`)).nodes).toEqual([]);
    const bad = await fetch(`${base}/api/nodes?status=zombie`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'QUERY_INVALID' } });
  });

  it('answers unknown routes with 404 JSON and wrong methods with 405', async () => {
    const base = peers[0]!.httpUrl;
    const missing = await fetch(`${base}/api/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const wrong = await fetch(`${base}/api/nodes`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect(await wrong.json()).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } });
  });

  it('a malformed frame sent to a peer leaves it serving', async () => {
    const target = peers[1]!;
    const probe = await Libp2pTransport.start({ dataDir: join(dir, 'probe'), host: '127.0.0.1', port: 0, mdns: false, bootstrap: [], log: silentLogger });
    try {
      const addr = multiaddr(target.addresses[0]!);
      await probe.node.dial(addr);
      const targetId = peerIdFromString(target.id);
      // 1. Not JSON: answered with an error frame.
      const garbage = await probe.request(target.id, HELLO_PROTOCOL, new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
      expect(JSON.parse(new TextDecoder().decode(garbage))).toMatchObject({ type: 'error', code: 'WIRE_INVALID_FRAME' });
      // 2. A length prefix announcing a frame far over the limit: the stream is dropped.
      const stream = await probe.node.dialProtocol(targetId, HELLO_PROTOCOL);
      const huge = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]); // varint ≈ 4 GiB
      stream.send(huge);
      await lpStream(stream).read({ signal: AbortSignal.timeout(3_000) }).catch(() => undefined);
      // 3. A stream closed half-way through a frame.
      const cut = await probe.node.dialProtocol(targetId, HELLO_PROTOCOL);
      cut.send(new Uint8Array([0x20, 0x7b]));
      await cut.close().catch(() => undefined);
    } finally {
      await probe.stop();
    }
    const health = await getJson<{ status: string }>(`${target.httpUrl}/api/health`);
    expect(health.status).toBe('ok');
    expect(target.child.exitCode).toBeNull();
    expect(await statusSeenBy(peers[0]!, target.id)).toBe('alive');
  });

  it('kill -9 of a peer is seen as dead by the others within 2 s', async () => {
    const victim = peers[2]!;
    await victim.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor(
      async () => (await statusSeenBy(peers[0]!, victim.id)) === 'dead' && (await statusSeenBy(peers[1]!, victim.id)) === 'dead',
      2_000,
      'the killed peer to be dead',
    );
    expect(Date.now() - killedAt).toBeLessThanOrEqual(2_000);
  });

  it('a restarted peer keeps its id and is alive again', async () => {
    const oldId = peers[2]!.id;
    peers[2] = await start(2);
    expect(peers[2].id).toBe(oldId);
    await waitFor(async () => (await statusSeenBy(peers[0]!, oldId)) === 'alive' && (await statusSeenBy(peers[1]!, oldId)) === 'alive', 5_000, 'the restarted peer to be alive');
    await waitFor(async () => (await getJson<NodesBody>(`${peers[2]!.httpUrl}/api/nodes?status=alive`)).nodes.length === 3, 5_000, 'the restarted peer to see everyone');
  });

  it('a peer stopped with SIGTERM exits within 2 s and is dropped by the others at once', async () => {
    const leaving = peers[1]!;
    const stoppedAt = Date.now();
    const code = await leaving.kill('SIGTERM');
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);
    await waitFor(async () => (await statusSeenBy(peers[0]!, leaving.id)) === 'absent', 1_000, 'the leaving peer to be dropped');
  });
});
