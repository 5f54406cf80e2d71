// `npm run measure:foundation`: start-up time, idle RSS, idle CPU and formation time of local peers
// (127.0.0.1, mDNS off, static bootstrap). Prints a table and one JSON line; kills every peer it started.
import '../src/polyfill.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, getJson, startPeerProcess, waitFor, type PeerProcess } from './lib/peer-process.js';

const STARTS = 5;
const RSS_IDLE_MS = 5_000;
const CLUSTER_SIZE = 10;
const CPU_WINDOW_MS = 10_000;
const FORM_TIMEOUT_MS = 60_000;
const OVERALL_DEADLINE_MS = 180_000;
const KILL_AFTER_MS = 3_000;

const live = new Set<PeerProcess>();
const tempDirs: string[] = [];

interface NodesReply {
  nodes: { node_id: string; status: string }[];
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcpdt-measure-'));
  tempDirs.push(dir);
  return dir;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

async function start(options: Parameters<typeof startPeerProcess>[0]): Promise<PeerProcess> {
  const peer = await startPeerProcess({ logLevel: 'warn', startTimeoutMs: 20_000, ...options });
  live.add(peer);
  return peer;
}

async function stop(peer: PeerProcess): Promise<void> {
  const force = setTimeout(() => peer.child.kill('SIGKILL'), KILL_AFTER_MS);
  try {
    await peer.kill('SIGTERM');
  } finally {
    clearTimeout(force);
    live.delete(peer);
  }
}

async function stopAll(): Promise<void> {
  await Promise.all([...live].map(stop));
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

function rssKb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

/** utime + stime of one process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; count fields from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

function pidOf(peer: PeerProcess): number {
  if (peer.child.pid === undefined) throw new Error(`peer ${peer.id} has no pid`);
  return peer.child.pid;
}

async function aliveCount(peer: PeerProcess): Promise<number> {
  const reply = await getJson<NodesReply>(`${peer.httpUrl}/api/nodes`);
  return reply.nodes.filter((n) => n.status === 'alive').length;
}

async function healthy(url: string): Promise<boolean> {
  const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1_000) });
  await response.body?.cancel();
  return response.ok;
}

/** Spawn → /api/health answering, STARTS times with a fresh data dir each time. */
async function measureStartup(): Promise<{ readyMs: number[]; startLineMs: number[] }> {
  const readyMs: number[] = [];
  const startLineMs: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const t0 = performance.now();
    const peer = await start({ dataDir: tempDir() });
    startLineMs.push(performance.now() - t0);
    await waitFor(() => healthy(peer.httpUrl), 10_000, 'health to answer', 5);
    readyMs.push(performance.now() - t0);
    await stop(peer);
  }
  return { readyMs, startLineMs };
}

async function measureIdleRss(): Promise<number> {
  const peer = await start({ dataDir: tempDir() });
  await waitFor(() => healthy(peer.httpUrl), 10_000, 'health to answer');
  await sleep(RSS_IDLE_MS); // the idle period is the measurement itself
  const kb = rssKb(pidOf(peer));
  await stop(peer);
  return kb;
}

interface ClusterFigures {
  /** Undefined when the peers did not all list each other within FORM_TIMEOUT_MS. */
  formMs: number | undefined;
  formAfterLastStartMs: number | undefined;
  /** Alive count seen by each peer at the last poll. */
  alive: (number | string)[];
  cpuTotalPct: number;
  rssMeanKb: number;
}

async function measureCluster(): Promise<ClusterFigures> {
  const ports: number[] = [];
  for (let i = 0; i < CLUSTER_SIZE; i++) ports.push(await freePort());
  const t0 = performance.now();
  let lastStart = 0;
  // allSettled, not all: on a failure the other starts still finish, and stopAll must see them.
  const started = await Promise.allSettled(
    ports.map(async (p2pPort, i) => {
      const peer = await start({
        dataDir: tempDir(),
        p2pPort,
        bootstrap: ports.filter((_, j) => j !== i).map((port) => `127.0.0.1:${port}`),
      });
      lastStart = Math.max(lastStart, performance.now());
      return peer;
    }),
  );
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const peers = started.map((s) => (s as PromiseFulfilledResult<PeerProcess>).value);
  let alive: (number | string)[] = [];
  const formed = await waitFor(
    async () => {
      alive = await Promise.all(peers.map((p) => aliveCount(p).catch((e: unknown) => String(e))));
      return alive.every((count) => count === CLUSTER_SIZE) && performance.now();
    },
    FORM_TIMEOUT_MS,
    `${CLUSTER_SIZE} peers to list each other alive`,
    20,
  ).catch(() => undefined);

  // Measured even when the cluster did not form: the CPU of a cluster that keeps failing is a finding too.
  const pids = peers.map(pidOf);
  const ticksBefore = pids.map(cpuTicks);
  const w0 = performance.now();
  await sleep(CPU_WINDOW_MS); // the idle window is the measurement itself
  const ticksAfter = pids.map(cpuTicks);
  const windowS = (performance.now() - w0) / 1_000;
  const usedS = ticksAfter.reduce((sum, t, i) => sum + t - ticksBefore[i]!, 0) / clockTicksPerSecond();
  const rss = pids.map(rssKb);
  return {
    formMs: formed === undefined ? undefined : formed - t0,
    formAfterLastStartMs: formed === undefined ? undefined : formed - lastStart,
    alive,
    cpuTotalPct: (usedS / windowS) * 100,
    rssMeanKb: rss.reduce((a, b) => a + b, 0) / rss.length,
  };
}

/** Returns whether the cluster formed (the exit code depends on it). */
async function main(): Promise<boolean> {
  const loadBefore = loadavg()[0]!;
  const startup = await measureStartup();
  const idleRssKb = await measureIdleRss();
  const cluster = await measureCluster();
  await stopAll();
  const loadAfter = loadavg()[0]!;

  const formed = cluster.formMs !== undefined;
  const formation = formed
    ? `${round(cluster.formMs!, 0)} ms (${round(cluster.formAfterLastStartMs!, 0)} ms after the last start line)`
    : `NOT FORMED within ${FORM_TIMEOUT_MS / 1_000} s; alive counts per peer: ${cluster.alive.join(', ')}`;
  const cpuLabel = formed ? 'idle CPU' : 'CPU (not formed)';
  const rows: [string, string][] = [
    [`start-up to /api/health (median of ${STARTS})`, `${round(median(startup.readyMs), 0)} ms  [${startup.readyMs.map((x) => round(x, 0)).join(', ')}]`],
    ['  of which spawn → start line (median)', `${round(median(startup.startLineMs), 0)} ms`],
    [`idle RSS, 1 peer after ${RSS_IDLE_MS / 1_000} s`, `${round(idleRssKb / 1024)} MiB`],
    [`${CLUSTER_SIZE} peers: first spawn → all list ${CLUSTER_SIZE} alive`, formation],
    [`${CLUSTER_SIZE} peers: ${cpuLabel} over ${CPU_WINDOW_MS / 1_000} s, total`, `${round(cluster.cpuTotalPct)} % of one core`],
    [`${CLUSTER_SIZE} peers: ${cpuLabel} per peer`, `${round(cluster.cpuTotalPct / CLUSTER_SIZE, 2)} % of one core`],
    [`${CLUSTER_SIZE} peers: RSS per peer (mean)`, `${round(cluster.rssMeanKb / 1024)} MiB`],
    ['machine: cores, 1-min load average before → after', `${cpus().length}, ${round(loadBefore, 2)} → ${round(loadAfter, 2)}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`foundation figures (node ${process.version}, 127.0.0.1, mDNS off, static bootstrap)\n`);
  for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
  const json = {
    metric: 'foundation',
    node: process.version,
    cores: cpus().length,
    load_avg_1m_before: round(loadBefore, 2),
    load_avg_1m_after: round(loadAfter, 2),
    startup_ready_ms_median: round(median(startup.readyMs)),
    startup_ready_ms: startup.readyMs.map((x) => round(x)),
    startup_start_line_ms_median: round(median(startup.startLineMs)),
    idle_rss_mib: round(idleRssKb / 1024),
    cluster_size: CLUSTER_SIZE,
    cluster_formed: formed,
    cluster_form_ms: formed ? round(cluster.formMs!) : null,
    cluster_form_after_last_start_ms: formed ? round(cluster.formAfterLastStartMs!) : null,
    cluster_alive_counts: cluster.alive,
    cluster_cpu_pct_total: round(cluster.cpuTotalPct, 2),
    cluster_cpu_pct_per_peer: round(cluster.cpuTotalPct / CLUSTER_SIZE, 2),
    cluster_rss_mib_mean: round(cluster.rssMeanKb / 1024),
  };
  process.stdout.write(`${JSON.stringify(json)}\n`);
  return formed;
}

// Bounded in time: whatever happens, every peer is killed and the process exits.
const deadline = setTimeout(() => {
  process.stderr.write(`measure-foundation: gave up after ${OVERALL_DEADLINE_MS / 1_000} s\n`);
  void stopAll().finally(() => process.exit(1));
}, OVERALL_DEADLINE_MS);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll().finally(() => process.exit(130)));

main().then(
  (formed) => {
    clearTimeout(deadline);
    process.exit(formed ? 0 : 1);
  },
  async (error: unknown) => {
    process.stderr.write(`measure-foundation: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await stopAll();
    process.exit(1);
  },
);
