// Start-up of `node peer.js run` on a one-second plan: wall time from launch to the first request at a
// counting target, and the CPU seconds of the whole process, in interleaved repetitions (medians), against
// autocannon's CLI on the same one-second, 100 req/s load (the peer tool). Each command runs once untimed
// first, so the bundle's code cache is warm, as it is from a user's second run on; the cold row turns the
// cache off (MCP_NO_COMPILE_CACHE=1: a first run, or one with a new build or Node). Then `node peer.js`
// (a peer) from each checkout: launch to its status route answering, and to it saying "ok" (the peer up),
// and the CPU it spent until each, with the code cache (primed by a peer left up long enough to write
// it), without, and with the modules tsc wrote (MCP_NO_BUNDLE=1) to show what the bundle saves.
//
//   node dist/scripts/bench/startup.js [--reps 5] [--root DIR]   (DIR: another checkout to compare, built)
import '../../src/polyfill.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startCountingTarget } from '../../test/support/counting-target.js';
import { freePort } from '../lib/peer-process.js';
import { median } from './measure.js';

const { values: opts } = parseArgs({ options: { reps: { type: 'string', default: '5' }, root: { type: 'string', multiple: true } } });
const reps = Math.min(20, Math.max(1, Number(opts.reps)));
const here = resolve(new URL('../../..', import.meta.url).pathname);
const roots = [here, ...(opts.root ?? []).map((r) => resolve(r))];

interface Start {
  firstRequestMs: number;
  wallMs: number;
  cpuS: number;
}

const AUTOCANNON = join(here, 'node_modules', 'autocannon', 'autocannon.js');

async function once(root: string, plan: string, target: Awaited<ReturnType<typeof startCountingTarget>>, env: Record<string, string> = {}): Promise<Start> {
  const command = root === AUTOCANNON ? `node ${AUTOCANNON} -c 1 -R 100 -d 1 ${target.url}/` : `node ${join(root, 'peer.js')} run ${plan}`;
  const before = target.count();
  let first = 0;
  const launched = performance.now();
  const poll = setInterval(() => {
    if (first === 0 && target.count() > before) first = performance.now();
  }, 1);
  // `times` prints the shell's and then its children's CPU: the second line is node's.
  const child = spawn('bash', ['-c', `${command} >/dev/null 2>&1; times`], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.on('close', r));
  clearInterval(poll);
  const wallMs = performance.now() - launched;
  const times = [...out.matchAll(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/g)].at(-1);
  const cpuS = times ? Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4]) : NaN;
  return { firstRequestMs: first - launched, wallMs, cpuS };
}

const TICKS_PER_S = 100;
/** utime + stime of a process, every thread, in seconds. */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_S;
}

interface Ready {
  /** Launch to GET /api/health answering 200 (a starting peer's status port answers "starting"). */
  readyMs: number;
  /** CPU spent until then. */
  cpuS: number;
  /** Launch to /api/health saying "ok": the peer up, its libp2p node and every role started. */
  upMs: number;
  upCpuS: number;
}

/** `node peer.js`: launch to GET /api/health answering, then saying "ok", and the CPU spent until each; `keepMs` more before it is stopped. */
async function peerReady(root: string, env: Record<string, string>, keepMs = 0): Promise<Ready> {
  const [http, p2p] = [await freePort(), await freePort()];
  const data = mkdtempSync(join(tmpdir(), 'mcpdt-startup-peer-'));
  const launched = performance.now();
  const child = spawn(process.execPath, [join(root, 'peer.js'), '--data-dir', data, '--http-port', String(http), '--p2p-port', String(p2p), '--log-level', 'warn'], {
    env: { ...process.env, MCP_DISCOVERY_MDNS: 'false', ...env },
    stdio: 'ignore',
  });
  try {
    let answered: { readyMs: number; cpuS: number } | undefined;
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${http}/api/health`).then(
        async (r) => (r.ok ? ((await r.json()) as { status?: string }).status ?? 'ok' : undefined),
        () => undefined,
      );
      if (status !== undefined) answered ??= { readyMs: performance.now() - launched, cpuS: cpuOf(child.pid!) };
      if (status === 'ok') break;
      if (performance.now() - launched > 30_000) throw new Error('the peer did not answer within 30 s');
      await new Promise((r) => setTimeout(r, 5));
    }
    const ready = { ...answered!, upMs: performance.now() - launched, upCpuS: cpuOf(child.pid!) };
    if (keepMs > 0) await new Promise((r) => setTimeout(r, keepMs));
    return ready;
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    rmSync(data, { recursive: true, force: true });
  }
}

const target = await startCountingTarget();
const dir = mkdtempSync(join(tmpdir(), 'mcpdt-startup-'));
const plan = join(dir, 'plan.yaml');
writeFileSync(plan, `name: startup\ntasks:\n  - type: load_test\n    parameters:\n      targets: [{ url: "${target.url}/" }]\n      duration: 1\n      base_rps: 100\n`);
const COLD = `${here} (no code cache)`;
const UNBUNDLED = `${here} (MCP_NO_BUNDLE=1)`;
const names = [...roots, COLD, UNBUNDLED, AUTOCANNON];
const ENV: Record<string, Record<string, string>> = { [COLD]: { MCP_NO_COMPILE_CACHE: '1' }, [UNBUNDLED]: { MCP_NO_BUNDLE: '1' } };
const rootOf = (name: string) => (name === COLD || name === UNBUNDLED ? here : name);
const results = new Map<string, Start[]>(names.map((r) => [r, []]));
const peers = names.filter((name) => name !== AUTOCANNON);
const ready = new Map<string, Ready[]>(peers.map((name) => [name, []]));
try {
  for (const name of names) await once(rootOf(name), plan, target, ENV[name]);
  for (const root of roots) await peerReady(root, {}, 3_000);
  for (let rep = 0; rep < reps; rep++) {
    for (const name of rep % 2 ? [...names].reverse() : names) results.get(name)!.push(await once(rootOf(name), plan, target, ENV[name]));
    for (const name of rep % 2 ? [...peers].reverse() : peers) ready.get(name)!.push(await peerReady(rootOf(name), ENV[name] ?? {}));
  }
} finally {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`node peer.js run, 1 s plan at 100 req/s, against autocannon -c 1 -R 100 -d 1; medians of ${reps} interleaved runs`);
console.log(`${'command'.padEnd(48)}${'first request ms'.padStart(18)}${'wall ms'.padStart(10)}${'CPU s'.padStart(8)}`);
const med = (name: string, f: (s: Start) => number) => median(results.get(name)!.map(f));
for (const name of names) {
  const label = name === AUTOCANNON ? 'autocannon (peer tool)' : name;
  console.log(`${label.padEnd(48)}${med(name, (r) => r.firstRequestMs).toFixed(0).padStart(18)}${med(name, (r) => r.wallMs).toFixed(0).padStart(10)}${med(name, (r) => r.cpuS).toFixed(2).padStart(8)}`);
}
const ratio = (f: (s: Start) => number) => (med(here, f) / med(AUTOCANNON, f)).toFixed(2);
console.log(`ratio to autocannon: first request ${ratio((r) => r.firstRequestMs)}x, CPU ${ratio((r) => r.cpuS)}x, wall ${ratio((r) => r.wallMs)}x`);
const readyRow = (name: string, xs: Ready[]) => {
  const m = (f: (x: Ready) => number) => median(xs.map(f));
  console.log(`${name.padEnd(48)}answers ${m((x) => x.readyMs).toFixed(0).padStart(5)} ms (CPU ${m((x) => x.cpuS).toFixed(2)} s), up ${m((x) => x.upMs).toFixed(0).padStart(5)} ms (CPU ${m((x) => x.upCpuS).toFixed(2)} s)`);
};
console.log('node peer.js: launch to /api/health answering (200), and to it saying "ok" (up)');
for (const name of peers) readyRow(name, ready.get(name)!);
