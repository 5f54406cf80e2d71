// Start-up of `node peer.js run` on a one-second plan: wall time from launch to the first request at a
// counting target, and the CPU seconds of the whole process, in interleaved repetitions (medians).
//
//   node dist/scripts/bench/startup.js [--reps 5] [--root DIR]   (DIR: another checkout to compare, built)
import '../../src/polyfill.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startCountingTarget } from '../../test/support/counting-target.js';
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

async function once(root: string, plan: string, target: Awaited<ReturnType<typeof startCountingTarget>>): Promise<Start> {
  const before = target.count();
  let first = 0;
  const launched = performance.now();
  const poll = setInterval(() => {
    if (first === 0 && target.count() > before) first = performance.now();
  }, 1);
  // `times` prints the shell's and then its children's CPU: the second line is node's.
  const child = spawn('bash', ['-c', `node ${join(root, 'peer.js')} run ${plan} >/dev/null 2>&1; times`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.on('close', r));
  clearInterval(poll);
  const wallMs = performance.now() - launched;
  const times = [...out.matchAll(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/g)].at(-1);
  const cpuS = times ? Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4]) : NaN;
  return { firstRequestMs: first - launched, wallMs, cpuS };
}

const target = await startCountingTarget();
const dir = mkdtempSync(join(tmpdir(), 'mcpdt-startup-'));
const plan = join(dir, 'plan.yaml');
writeFileSync(plan, `name: startup\ntasks:\n  - type: load_test\n    parameters:\n      targets: [{ url: "${target.url}/" }]\n      duration: 1\n      base_rps: 100\n`);
const results = new Map<string, Start[]>(roots.map((r) => [r, []]));
try {
  for (let rep = 0; rep < reps; rep++) for (const root of rep % 2 ? [...roots].reverse() : roots) results.get(root)!.push(await once(root, plan, target));
} finally {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`node peer.js run, 1 s plan at 100 req/s; medians of ${reps} interleaved runs`);
console.log(`${'checkout'.padEnd(40)}${'first request ms'.padStart(18)}${'wall ms'.padStart(10)}${'CPU s'.padStart(8)}`);
for (const [root, runs] of results) {
  console.log(`${root.padEnd(40)}${median(runs.map((r) => r.firstRequestMs)).toFixed(0).padStart(18)}${median(runs.map((r) => r.wallMs)).toFixed(0).padStart(10)}${median(runs.map((r) => r.cpuS)).toFixed(2).padStart(8)}`);
}
