// `npm run cluster -- [N] [--base-http-port P]`: N local peers on 127.0.0.1 that bootstrap from each other,
// kept running until Ctrl-C. Data dirs persist under ./.cluster/peer-<i>, so peer ids survive reruns.
import '../src/polyfill.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, freePort, getJson, startPeerProcess, waitFor, type PeerProcess } from './lib/peer-process.js';

const DEFAULT_PEERS = 3;
const FORM_TIMEOUT_MS = 30_000;
const KILL_AFTER_MS = 3_000;
const POLL_MS = 200;

interface ClusterOptions {
  peers: number;
  baseHttpPort: number | undefined;
}

interface NodesReply {
  nodes: { node_id: string; status: string }[];
}

function parseOptions(argv: string[]): ClusterOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'base-http-port': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write('usage: npm run cluster -- [N=3] [--base-http-port PORT]\n');
    process.exit(0);
  }
  const problems: string[] = [];
  const peers = positionals[0] === undefined ? DEFAULT_PEERS : Number(positionals[0]);
  if (!Number.isInteger(peers) || peers < 1) problems.push(`peer count must be a positive integer, got ${positionals[0]}`);
  const base = values['base-http-port'];
  const baseHttpPort = base === undefined ? undefined : Number(base);
  if (baseHttpPort !== undefined && (!Number.isInteger(baseHttpPort) || baseHttpPort < 1 || baseHttpPort + peers - 1 > 65_535)) {
    problems.push(`--base-http-port must leave room for ${peers} ports below 65536, got ${base}`);
  }
  if (problems.length > 0) {
    process.stderr.write(problems.map((p) => `cluster: ${p}\n`).join(''));
    process.exit(2);
  }
  return { peers, baseHttpPort };
}

/** SIGTERM, then SIGKILL if the peer has not exited after KILL_AFTER_MS. */
async function stopPeer(peer: PeerProcess): Promise<void> {
  const force = setTimeout(() => peer.child.kill('SIGKILL'), KILL_AFTER_MS);
  try {
    await peer.kill('SIGTERM');
  } finally {
    clearTimeout(force);
  }
}

async function aliveCount(peer: PeerProcess): Promise<number> {
  const reply = await getJson<NodesReply>(`${peer.httpUrl}/api/nodes`);
  return reply.nodes.filter((n) => n.status === 'alive').length;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const peers: PeerProcess[] = [];
  let stopping = false;

  const stopAll = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${reason}: stopping ${peers.length} peer(s)...\n`);
    await Promise.all(peers.map(stopPeer));
    process.stdout.write('all peers stopped\n');
  };
  const stopped = new Promise<number>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (stopping) {
          // A second Ctrl-C: do not wait for the graceful stop.
          for (const p of peers) p.child.kill('SIGKILL');
          process.exit(130);
        }
        void stopAll(signal).then(() => resolve(0));
      });
    }
  });

  // Ports first, so each peer can be given every other peer as its static bootstrap list.
  const p2pPorts: number[] = [];
  const httpPorts: number[] = [];
  for (let i = 0; i < options.peers; i++) {
    p2pPorts.push(await freePort());
    httpPorts.push(options.baseHttpPort !== undefined ? options.baseHttpPort + i : await freePort());
  }

  process.stdout.write(`starting ${options.peers} peer(s) on 127.0.0.1 (mDNS off, static bootstrap)\n`);
  const starts = p2pPorts.map(async (p2pPort, i) => {
    const dataDir = join(REPO_ROOT, '.cluster', `peer-${i}`);
    mkdirSync(dataDir, { recursive: true });
    const peer = await startPeerProcess({
      dataDir,
      httpPort: httpPorts[i]!,
      p2pPort,
      bootstrap: p2pPorts.filter((_, j) => j !== i).map((port) => `127.0.0.1:${port}`),
      mdns: false,
    });
    peers.push(peer);
    const p2p = peer.addresses.find((a) => a.includes('/p2p/')) ?? peer.addresses[0] ?? '';
    process.stdout.write(`peer-${i} ${peer.id}\n  status ${peer.httpUrl}\n  p2p    ${p2p}\n`);
    peer.child.once('exit', (code, signal) => {
      if (stopping) return;
      const tail = peer.stderr().trim().split('\n').slice(-5).join('\n    ');
      process.stderr.write(`peer-${i} exited unexpectedly (code ${String(code)}, signal ${String(signal)})\n    ${tail}\n`);
    });
    return peer;
  });
  const results = await Promise.allSettled(starts);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    for (const f of failures) process.stderr.write(`cluster: a peer failed to start: ${String((f.reason as Error).message ?? f.reason)}\n`);
    await stopAll('start failed');
    return 1;
  }
  if (stopping) {
    // A signal came while peers were still starting: stop the late ones too.
    await Promise.all(peers.map(stopPeer));
    return stopped;
  }

  const began = Date.now();
  try {
    await waitFor(
      async () => {
        if (stopping) return true;
        const counts = await Promise.all(peers.map(aliveCount));
        return counts.every((c) => c === options.peers);
      },
      FORM_TIMEOUT_MS,
      `every peer to list ${options.peers} alive nodes`,
      POLL_MS,
    );
    if (!stopping) process.stdout.write(`cluster formed: all ${options.peers} peers list ${options.peers} alive nodes (${Date.now() - began} ms after the last start). Ctrl-C to stop.\n`);
  } catch (error) {
    if (!stopping) process.stderr.write(`cluster: ${(error as Error).message}; still running. Ctrl-C to stop.\n`);
  }
  return stopped;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`cluster: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
