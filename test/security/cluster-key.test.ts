// The cluster key on real peers: members share it; a peer without it (or with another) cannot connect.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEER_JS, freePort, getJson, startPeerProcess, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { createNode, type PeerNode } from '../../src/transport/libp2p/node.js';
import { parseClusterKey } from '../../src/security/cluster-key.js';

let dir: string;
let key: string;
const peers: PeerProcess[] = [];
const nodes: PeerNode[] = [];

async function keygen(): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [PEER_JS, 'keygen']);
  return stdout.trim().split('\n').at(-1)!;
}

/** A key of the right form that is not the cluster's (keygen itself is the first case's subject). */
const anotherKey = () => randomBytes(32).toString('hex');

async function dialer(psk?: string): Promise<PeerNode> {
  const bytes = psk === undefined ? undefined : parseClusterKey(psk);
  const node = await createNode({
    privateKey: await generateKeyPair('Ed25519'),
    host: '127.0.0.1',
    port: 0,
    mdns: false,
    pingIntervalMs: 30_000,
    bootstrapWithIds: [],
    mdnsServiceTag: '_test._udp.local',
    mdnsIntervalMs: 60_000,
    ...(bytes instanceof Uint8Array ? { psk: bytes } : {}),
  });
  nodes.push(node);
  return node;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-pnet-'));
  key = await keygen();
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await Promise.all(peers.map((p) => p.kill('SIGKILL')));
  await rm(dir, { recursive: true, force: true });
});

describe('cluster key', () => {
  it('keygen prints a new 64-hex key as its last line', async () => {
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(await keygen()).not.toBe(key);
  });

  it('peers with the key form a cluster; a peer without it, or with another, never joins', async () => {
    const ports = [await freePort(), await freePort()];
    const start = (i: number, env: Record<string, string>, bootstrap: string[]) =>
      startPeerProcess({ dataDir: join(dir, `p${i}`), p2pPort: ports[i], bootstrap, logLevel: 'warn', env });
    const otherKey = anotherKey();
    const started = await Promise.all([
      start(0, { MCP_CLUSTER_KEY: key }, [`127.0.0.1:${ports[1]}`]),
      start(1, { MCP_CLUSTER_KEY: key }, [`127.0.0.1:${ports[0]}`]),
      startPeerProcess({ dataDir: join(dir, 'keyless'), bootstrap: [`127.0.0.1:${ports[0]}`], logLevel: 'warn' }),
      startPeerProcess({ dataDir: join(dir, 'other'), bootstrap: [`127.0.0.1:${ports[0]}`], logLevel: 'warn', env: { MCP_CLUSTER_KEY: otherKey } }),
    ]);
    peers.push(...started);
    const [, , keyless, other] = started as [PeerProcess, PeerProcess, PeerProcess, PeerProcess];
    await waitFor(async () => (await getJson<{ members: number }>(`${peers[0]!.httpUrl}/api/health`)).members === 2, 15_000, 'the two keyed peers to meet');

    // A libp2p dial is the direct proof: the handshake fails without the same key.
    const target = multiaddr(peers[0]!.addresses[0]!);
    await expect((await dialer()).dial(target)).rejects.toThrow();
    await expect((await dialer(anotherKey())).dial(target)).rejects.toThrow();
    const member = await (await dialer(key)).dial(target);
    expect(member.remotePeer.toString()).toBe(peers[0]!.id);

    // The keyless and wrong-key peers have tried their bootstrap all along and are still alone.
    for (const outsider of [keyless, other]) expect((await getJson<{ members: number }>(`${outsider.httpUrl}/api/health`)).members).toBe(1);
    const nodesSeen = await getJson<{ nodes: { node_id: string }[] }>(`${peers[0]!.httpUrl}/api/nodes`);
    expect(nodesSeen.nodes.map((n) => n.node_id).sort()).toEqual([peers[0]!.id, peers[1]!.id].sort());
  });

  it('listening off loopback without a key is refused at start, saying why; a bad key is refused without echoing it', async () => {
    const run = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [PEER_JS, '--data-dir', join(dir, `r${Math.random()}`), '--http-port', '0', '--p2p-port', '0', ...args], {
          env: { ...process.env, MCP_DISCOVERY_MDNS: 'false', ...env },
        });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const open = await run(['--p2p-host', '0.0.0.0'], {});
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('p2p.host');
    expect(open.stderr).toContain('keygen');
    const bad = await run([], { MCP_CLUSTER_KEY: 'not-a-key-secret-text' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('security.cluster_key');
    expect(bad.stderr).not.toContain('not-a-key-secret-text');
  });
});
