// Idle cost: N real peers on 127.0.0.1 (static bootstrap, mDNS off, free ports) form one cluster, settle,
// and then do nothing while /proc is sampled: CPU (utime + stime) over the window as a share of one
// core, and RSS at its end and at its highest since the cluster formed (sampled every 2 s), per peer. The
// peer "tool" to compare with is a bare Node process holding an idle HTTP server (what any Node peer
// costs at the least), sampled over the same window.
//   node dist/scripts/bench/idle.js [--peers 10] [--settle 180] [--window 30] [--profile DIR] [--root DIR] [--reps 1]
// --settle: seconds between the cluster's forming and the window. An idle peer's cost falls for its first
// few minutes: V8 goes on optimising its functions one after another as each reaches its budget (an idle
// coordinator among 10, two minutes after start: 53 TurboFan compilations, 202 ms, in one minute, with
// --trace-opt). After 15 s the coordinator measured 2.2-2.6 % of a core, after 180 s 1.77 %; followers
// 1.4-1.9 % and 1.1-1.4 %. The default measures the idle peer; --settle 15 its first minute.
// --profile DIR: the coordinator and a follower (every peer unbundled, for readable frames) write a CPU
// profile of the window to DIR, coordinator.cpuprofile and follower.cpuprofile (summarise with
// profile-summary.js).
// --root DIR: another checkout's build (its peer.js) measured the same way, one cluster after the other,
// alternating for --reps rounds (this build first in odd rounds, the other first in even ones), so a
// before/after comparison shares the machine's moment; its rows are prefixed `before:`.
import '../../src/polyfill.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PEER_JS, freePort, getJson, startPeerProcess, waitFor, type PeerProcess } from '../lib/peer-process.js';
import { median } from './measure.js';

const { values } = parseArgs({
  options: {
    peers: { type: 'string', default: '10' },
    settle: { type: 'string', default: '180' },
    window: { type: 'string', default: '30' },
    profile: { type: 'string' },
    root: { type: 'string' },
    reps: { type: 'string', default: '1' },
  },
});
const N = Math.max(1, Math.min(30, Number(values.peers)));
const SETTLE_S = Number(values.settle);
const WINDOW_S = Number(values.window);
const REPS = Math.max(1, Number(values.reps));
const CPU_GOAL = 2; // % of a core
const RSS_GOAL_MB = 100;

/** How often every peer's RSS is sampled from the cluster's forming to the window's end. */
const RSS_SAMPLE_MS = 2_000;

const TICKS_PER_S = 100; // USER_HZ on Linux
/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat, after the command name). */
function cpuSeconds(pid: number | string): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}
/** utime + stime of the process's main thread alone (its thread id is the process id); the rest is the other threads' (load workers, V8's GC and compiler threads, libuv's pool). */
function mainThreadSeconds(pid: number): number {
  return cpuSeconds(`${pid}/task/${pid}`);
}
/** Read and write system calls so far (/proc/PID/io): a count of frames in and out that CPU contention does not blur. */
function syscalls(pid: number): { r: number; w: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  return { r: Number(/syscr: (\d+)/.exec(io)?.[1]), w: Number(/syscw: (\d+)/.exec(io)?.[1]) };
}
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface Health {
  coordinator: string | null;
  members: number;
}

interface Build {
  label: string;
  peerJs: string;
}

interface Figures {
  build: string;
  intact: boolean;
  cpuPct: number[];
  /** The main thread's share of cpuPct (the control plane); the rest is the other threads'. */
  mainPct: number[];
  rss: number[];
  /** The most each peer held at any time since the cluster formed (sampled every RSS_SAMPLE_MS): the goal holds for a peer at rest, not only at the window's end. */
  rssPeak: number[];
  reads: number[];
  writes: number[];
  coordinatorPct: number;
  bareCpu: number;
  bareRss: number;
  load: number;
}

async function measure(build: Build, profile: string | undefined): Promise<Figures> {
  const dir = await mkdtemp(join(tmpdir(), 'mcpdt-bench-idle-'));
  const ports = await Promise.all(Array.from({ length: N }, () => freePort()));
  const peers: PeerProcess[] = [];
  let bare: ChildProcess | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    // As from a user's second launch on: one peer first, up long enough to save its code cache (2 s after
    // start-up), so that the cluster's peers load it. A peer that saves one (the first launch of a build)
    // keeps some 8 MB more resident memory for its life: alone at rest 88.6 MB, against 80.1 MB for one
    // that loaded the cache and 81.2 MB for one without (MCP_NO_COMPILE_CACHE=1).
    if (!profile) {
      const primer = await startPeerProcess({ peerJs: build.peerJs, dataDir: join(dir, 'primer'), logLevel: 'warn', startTimeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, 3_000));
      await primer.kill('SIGTERM');
    }
    // Everyone bootstraps from the first three: how a real deployment lists a few seeds, not every peer.
    const seeds = ports.slice(0, Math.min(3, N));
    for (let i = 0; i < N; i += 5) {
      const batch = Array.from({ length: Math.min(5, N - i) }, (_, k) => i + k);
      await Promise.all(
        batch.map(
          async (j) =>
            (peers[j] = await startPeerProcess({
              peerJs: build.peerJs,
              dataDir: join(dir, `peer-${j}`),
              p2pPort: ports[j]!,
              bootstrap: seeds.filter((p) => p !== ports[j]).map((p) => `127.0.0.1:${p}`),
              logLevel: 'warn',
              ...(profile
                ? { nodeArgs: ['--import', new URL('./profile-window.js', import.meta.url).pathname], env: { MCP_PROFILE_FILE: join(profile, `peer-${j}.cpuprofile`), MCP_NO_BUNDLE: '1' } }
                : {}),
              startTimeoutMs: 60_000,
            })),
        ),
      );
    }
    const formedAt = performance.now();
    let seen = '';
    let why = '';
    await waitFor(
      async () => {
        const hs = await Promise.all(
          peers.map((p) =>
            getJson<Health>(`${p.httpUrl}/api/health`).catch((e: Error) => {
              why = String(e.cause ?? e.message);
              return undefined;
            }),
          ),
        );
        seen = hs.map((h) => (h ? `${h.members}/${h.coordinator?.slice(-4) ?? '-'}` : 'no answer')).join(' ');
        const c = hs[0]?.coordinator;
        return c && hs.every((h) => h?.coordinator === c && h.members === N) ? true : undefined;
      },
      300_000, // a loaded machine starts 10 peers slowly, and their first elections may fail
      `${N} peers in one cluster`,
      500,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last seen (members/coordinator): ${seen}; ${why}\n${peers[1]!.stderr().slice(-3000)}`);
    });
    console.log(`${build.label}: ${N} peers formed one cluster in ${((performance.now() - formedAt) / 1000).toFixed(1)} s after the last started; settling ${SETTLE_S} s`);
    bare = spawn(process.execPath, ['-e', "require('node:http').createServer((q, r) => r.end()).listen(0, '127.0.0.1')"], { stdio: 'ignore' });
    const pids = peers.map((p) => p.child.pid!);
    const rssPeak = pids.map(rssMb);
    const sampleRss = () => pids.forEach((pid, i) => (rssPeak[i] = Math.max(rssPeak[i]!, rssMb(pid))));
    sampler = setInterval(sampleRss, RSS_SAMPLE_MS);
    await new Promise((r) => setTimeout(r, SETTLE_S * 1_000));

    const before = pids.map(cpuSeconds);
    const mainBefore = pids.map(mainThreadSeconds);
    const ioBefore = pids.map(syscalls);
    const bareBefore = cpuSeconds(bare.pid!);
    const leader = await waitFor(async () => (await getJson<Health>(`${peers[0]!.httpUrl}/api/health`)).coordinator ?? undefined, 60_000, 'a coordinator', 200);
    const leaderAt = peers.findIndex((p) => p.id === leader);
    const followerAt = leaderAt === 0 ? 1 : 0;
    // A lone peer is its own coordinator: it has no follower to profile.
    const profiled = profile ? [peers[leaderAt]!, ...(followerAt < N ? [peers[followerAt]!] : [])] : [];
    for (const p of profiled) p.child.kill('SIGUSR2');
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, WINDOW_S * 1_000));
    for (const p of profiled) p.child.kill('SIGUSR2');
    const elapsed = (performance.now() - t0) / 1_000;
    const load = loadavg()[0]!;
    const cpuPct = pids.map((pid, i) => ((cpuSeconds(pid) - before[i]!) / elapsed) * 100);
    const mainPct = pids.map((pid, i) => ((mainThreadSeconds(pid) - mainBefore[i]!) / elapsed) * 100);
    const io = pids.map((pid, i) => ((s) => ({ r: (s.r - ioBefore[i]!.r) / elapsed, w: (s.w - ioBefore[i]!.w) / elapsed }))(syscalls(pid)));
    const rss = pids.map(rssMb);
    clearInterval(sampler);
    sampleRss();
    const bareCpu = ((cpuSeconds(bare.pid!) - bareBefore) / elapsed) * 100;
    const bareRss = rssMb(bare.pid!);
    // Still one cluster at the end: quiet, not deaf.
    const hs = await Promise.all(peers.map((p) => getJson<Health>(`${p.httpUrl}/api/health`).catch(() => undefined)));
    const intact = hs.every((h) => h?.coordinator === hs[0]?.coordinator && h?.members === N);
    const coordinatorAt = peers.findIndex((p) => p.id === (hs[0]?.coordinator ?? leader));

    console.log(`${build.label}: window ${elapsed.toFixed(1)} s; load average ${load.toFixed(2)}; cluster intact at the end: ${intact}`);
    console.log(`${'peer'.padEnd(6)}${'CPU % of a core'.padStart(17)}${'main thread'.padStart(13)}${'others'.padStart(8)}${'RSS MB'.padStart(9)}${'peak'.padStart(7)}${'reads/s'.padStart(9)}${'writes/s'.padStart(10)}  role`);
    peers.forEach((_, i) =>
      console.log(
        `${String(i).padEnd(6)}${cpuPct[i]!.toFixed(2).padStart(17)}${mainPct[i]!.toFixed(2).padStart(13)}${(cpuPct[i]! - mainPct[i]!).toFixed(2).padStart(8)}` +
          `${rss[i]!.toFixed(0).padStart(9)}${rssPeak[i]!.toFixed(0).padStart(7)}${io[i]!.r.toFixed(0).padStart(9)}${io[i]!.w.toFixed(0).padStart(10)}  ${i === coordinatorAt ? 'coordinator' : ''}`,
      ),
    );
    if (profile) {
      await new Promise((r) => setTimeout(r, 2_000)); // the profiles are written
      await rename(join(profile, `peer-${leaderAt}.cpuprofile`), join(profile, 'coordinator.cpuprofile')).catch(() => undefined);
      await rename(join(profile, `peer-${followerAt}.cpuprofile`), join(profile, 'follower.cpuprofile')).catch(() => undefined);
    }
    return {
      build: build.label,
      intact,
      cpuPct,
      mainPct,
      rss,
      rssPeak,
      reads: io.map((x) => x.r),
      writes: io.map((x) => x.w),
      coordinatorPct: coordinatorAt >= 0 ? cpuPct[coordinatorAt]! : NaN,
      bareCpu,
      bareRss,
      load,
    };
  } finally {
    clearInterval(sampler);
    bare?.kill('SIGKILL');
    await Promise.all(peers.map((p) => p?.kill('SIGKILL')));
    await rm(dir, { recursive: true, force: true });
  }
}

interface Summary {
  cpu: number;
  cpuMax: number;
  main: number;
  coordinator: number;
  rss: number;
  rssMax: number;
  /** The most any peer held at any time since its cluster formed. */
  rssPeak: number;
  reads: number;
  writes: number;
  intact: boolean;
  load: string;
}

function summarise(runs: Figures[]): Summary {
  return {
    cpu: median(runs.map((r) => median(r.cpuPct))),
    cpuMax: Math.max(...runs.flatMap((r) => r.cpuPct)),
    main: median(runs.map((r) => median(r.mainPct))),
    coordinator: median(runs.map((r) => r.coordinatorPct)),
    rss: median(runs.map((r) => median(r.rss))),
    rssMax: Math.max(...runs.flatMap((r) => r.rss)),
    rssPeak: Math.max(...runs.flatMap((r) => r.rssPeak)),
    reads: median(runs.map((r) => median(r.reads))),
    writes: median(runs.map((r) => median(r.writes))),
    intact: runs.every((r) => r.intact),
    load: runs.map((r) => r.load.toFixed(2)).join(', '),
  };
}

/** One Markdown table, a row per build, ready to paste: medians over peers (then over rounds), and the goal's ratios. */
function table(rows: [string, Summary][]): void {
  const head = ['build', 'peers', 'CPU % median', 'CPU % max', 'coordinator %', 'main thread %', 'RSS MB median', 'RSS MB max', 'RSS MB peak since formed', 'reads/s', 'writes/s', `CPU / ${CPU_GOAL} %`, `RSS max / ${RSS_GOAL_MB} MB`, 'intact', 'load average'];
  const cells = rows.map(([label, s]) => [
    label,
    String(N),
    s.cpu.toFixed(2),
    s.cpuMax.toFixed(2),
    s.coordinator.toFixed(2),
    s.main.toFixed(2),
    s.rss.toFixed(0),
    s.rssMax.toFixed(0),
    s.rssPeak.toFixed(0),
    s.reads.toFixed(0),
    s.writes.toFixed(0),
    `${(s.cpu / CPU_GOAL).toFixed(2)}x (max ${(s.cpuMax / CPU_GOAL).toFixed(2)}x)`,
    `${(s.rssMax / RSS_GOAL_MB).toFixed(2)}x (peak ${(s.rssPeak / RSS_GOAL_MB).toFixed(2)}x)`,
    String(s.intact),
    s.load,
  ]);
  const line = (xs: string[]) => `| ${xs.join(' | ')} |`;
  console.log(line(head));
  console.log(line(head.map(() => '---')));
  for (const c of cells) console.log(line(c));
}

async function main(): Promise<void> {
  const builds: Build[] = [{ label: 'this', peerJs: PEER_JS }];
  if (values.root !== undefined) builds.push({ label: 'before', peerJs: join(resolve(values.root), 'peer.js') });
  const runs: Figures[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const order = rep % 2 === 0 ? builds : [...builds].reverse();
    for (const build of order) runs.push(await measure(build, values.profile && build.label === 'this' ? values.profile : undefined));
  }
  const bare = runs.map((r) => r.bareCpu);
  console.log(`\nbare node + idle HTTP server: ${median(bare).toFixed(2)} % of a core, ${median(runs.map((r) => r.bareRss)).toFixed(0)} MB\n`);
  const now = summarise(runs.filter((r) => r.build === 'this'));
  const rows: [string, Summary][] = [['this', now]];
  const was = builds.length > 1 ? summarise(runs.filter((r) => r.build === 'before')) : undefined;
  if (was) rows.push([`before (${values.root})`, was]);
  table(rows);
  if (was) {
    console.log(
      `\nthis / before: CPU median ${(now.cpu / was.cpu).toFixed(2)}x, coordinator ${(now.coordinator / was.coordinator).toFixed(2)}x, ` +
        `main thread ${(now.main / was.main).toFixed(2)}x, RSS median ${(now.rss / was.rss).toFixed(2)}x, writes/s ${(now.writes / was.writes).toFixed(2)}x`,
    );
  }
  console.log(JSON.stringify({ peers: N, runs }));
}

await main();
process.exit(0);
