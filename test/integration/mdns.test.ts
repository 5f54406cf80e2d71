// Zero-configuration discovery: three peers with mDNS on and no bootstrap find each other inside one
// network namespace made for this test. mDNS never runs in the host namespace (see LIBP2P-NOTES).
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPeerProcess, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';

const run = promisify(execFile);
const NETNS = `mcpdt-mdns-${randomBytes(4).toString('hex')}`;
const PEERS = 3;
const DISCOVERY_TIMEOUT_MS = 10_000;

interface NodesReply {
  nodes: { node_id: string; status: string }[];
}

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function deleteNetns(): void {
  try {
    execFileSync('ip', ['netns', 'del', NETNS], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

/** Creates the namespace with only `lo` up; returns why the suite must be skipped, if it must. */
function prepareNetns(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add)';
  if (!hasCommand('ip')) return 'the `ip` command (iproute2) is not installed';
  try {
    execFileSync('ip', ['netns', 'add', NETNS], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    return `ip netns add ${NETNS} failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
  // Even a failed run must not leave the namespace behind.
  process.once('exit', deleteNetns);
  try {
    execFileSync('ip', ['-n', NETNS, 'link', 'set', 'lo', 'up'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    deleteNetns();
    return `ip -n ${NETNS} link set lo up failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
  return undefined;
}

const skipReason = prepareNetns();
const canNetns = skipReason === undefined;
if (!canNetns) console.warn(`mdns.test.ts skipped: ${skipReason}`);
const hasCurl = canNetns && hasCommand('curl');

/** GET a URL from inside the namespace: the peers' status ports are not reachable from the host one. */
async function getInNetns<T>(url: string): Promise<T> {
  const fetcher = hasCurl
    ? ['curl', '-sf', '--max-time', '2', url]
    : [process.execPath, '-e', `fetch(${JSON.stringify(url)}).then((r) => r.text()).then((t) => process.stdout.write(t))`];
  const { stdout } = await run('ip', ['netns', 'exec', NETNS, ...fetcher], { timeout: 5_000 });
  return JSON.parse(stdout) as T;
}
describe.skipIf(!canNetns)(`mDNS discovery in network namespace ${NETNS}`, () => {
  const peers: PeerProcess[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < PEERS; i++) dirs.push(mkdtempSync(join(tmpdir(), 'mcpdt-mdns-')));
    // No bootstrap and ports 0 (startPeerProcess's default): the three share the namespace's 127.0.0.1.
    const started = await Promise.allSettled(dirs.map((dataDir) => startPeerProcess({ dataDir, mdns: true, netns: NETNS })));
    for (const s of started) if (s.status === 'fulfilled') peers.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  });

  afterAll(async () => {
    await Promise.all(
      peers.map(async (peer) => {
        const force = setTimeout(() => peer.child.kill('SIGKILL'), 3_000);
        await peer.kill('SIGTERM').finally(() => clearTimeout(force));
      }),
    );
    deleteNetns();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it(`every peer lists ${PEERS} alive nodes within ${DISCOVERY_TIMEOUT_MS / 1_000} s, with no bootstrap`, async () => {
    const began = Date.now();
    try {
      await waitFor(
        async () => {
          const replies = await Promise.all(peers.map((p) => getInNetns<NodesReply>(`${p.httpUrl}/api/nodes`)));
          return replies.every((r) => r.nodes.filter((n) => n.status === 'alive').length === PEERS);
        },
        DISCOVERY_TIMEOUT_MS,
        `${PEERS} peers to find each other by mDNS`,
        200,
      );
    } catch (error) {
      const views = await Promise.all(peers.map((p) => getInNetns<NodesReply>(`${p.httpUrl}/api/nodes`).catch((e: unknown) => String(e))));
      throw new Error(`${(error as Error).message}\nnodes: ${JSON.stringify(views)}\nstderr:\n${peers.map((p) => p.stderr()).join('\n')}`);
    }
    const ids = peers.map((p) => p.id).sort();
    for (const peer of peers) {
      const reply = await getInNetns<NodesReply>(`${peer.httpUrl}/api/nodes`);
      expect(reply.nodes.map((n) => n.node_id).sort()).toEqual(ids);
    }
    console.info(`mDNS: ${PEERS} peers listed each other alive ${Date.now() - began} ms after the last one started`);
  });
});
