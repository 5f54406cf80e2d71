// Benchmark of the load engine against peer tools on one local target, in interleaved repetitions.
// Every tool runs in its own child process, so its CPU and memory are its own. Compare by requests per
// CPU-second and by ratios within one run: the target shares the machine's cores.
//
//   node dist/scripts/bench/load-engine.js [--duration 5] [--reps 3] [--connections 100] [--rates 1000,5000] [--no-wrk]
import '../../src/polyfill.js';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { median, resultOf, runChild, type Measurement } from './measure.js';
import { installed, pinned, pinning, startTarget, TOOL_CPU } from './targets.js';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    reps: { type: 'string', default: '3' },
    connections: { type: 'string', default: '100' },
    rates: { type: 'string', default: '1000,5000' },
    'no-wrk': { type: 'boolean', default: false },
  },
});
const durationS = Math.min(60, Math.max(1, Number(opts.duration)));
const reps = Math.min(15, Math.max(1, Math.floor(Number(opts.reps))));
const connections = Math.min(1000, Math.max(1, Math.floor(Number(opts.connections))));
const rates = opts.rates.split(',').map(Number).filter((r) => r > 0 && r <= 100_000);
const withWrk = !opts['no-wrk'] && installed('wrk');
const limitMs = (durationS + 30) * 1000;

const child = (name: string) => new URL(`./${name}.js`, import.meta.url).pathname;

async function nodeTool(script: string, url: string, rps?: number, workers?: number): Promise<Measurement> {
  const config = JSON.stringify({ url, durationS, connections, ...(rps ? { rps } : {}), ...(workers ? { workers } : {}) });
  return resultOf(await runChild(...pinned(TOOL_CPU, process.execPath, [child(script), config]), limitMs));
}

const UNIT_MS: Record<string, number> = { us: 1e-3, ms: 1, s: 1000 };

async function wrk(url: string): Promise<Measurement> {
  // `times` prints the shell's and then its children's CPU: the second line is wrk's own.
  const run = await runChild(...pinned(TOOL_CPU, 'bash', ['-c', `wrk -t1 -c${connections} -d${durationS}s --latency ${url}; times`]), limitMs);
  const total = /(\d+) requests in/.exec(run.stdout);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(run.stdout);
  const times = [...run.stdout.matchAll(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/g)].at(-1);
  if (!total || !times) throw new Error(`could not read wrk's output:\n${run.stdout}\n${run.stderr}`);
  const cpuS = Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4]);
  return {
    tool: 'wrk',
    requests: Number(total[1]),
    dropped: 0,
    errors: 0,
    durationS,
    cpuS,
    peakRssMB: run.peakRssMB,
    p99Ms: p99 ? Number(p99[1]) * UNIT_MS[p99[2]!]! : 0,
  };
}

const rps = (m: Measurement) => m.requests / m.durationS;
const perCpu = (m: Measurement) => (m.cpuS > 0 ? m.requests / m.cpuS : 0);
const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pad = (s: string, n: number) => s.padStart(n);

interface Row {
  tool: string;
  rps: number;
  perCpu: number;
  rss: number;
  p99: number;
  dropped: number;
}

function medianRow(tool: string, runs: readonly Measurement[]): Row {
  return {
    tool,
    rps: median(runs.map(rps)),
    perCpu: median(runs.map(perCpu)),
    rss: Math.max(...runs.map((m) => m.peakRssMB)),
    p99: median(runs.map((m) => m.p99Ms)),
    dropped: median(runs.map((m) => m.dropped)),
  };
}

async function main(): Promise<number> {
  const target = await startTarget();
  const max = new Map<string, Measurement[]>();
  const fixed = new Map<string, Measurement[]>();
  const add = (into: Map<string, Measurement[]>, m: Measurement) => into.set(m.tool, [...(into.get(m.tool) ?? []), m]);
  try {
    console.log(`target: ${target.kind} at ${target.url}; ${reps} interleaved repetitions of ${durationS} s; ${connections} connections`);
    console.log(`machine: ${cpus().length} cores (${pinning}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const maxTools: (() => Promise<Measurement>)[] = [
      () => nodeTool('engine-child', target.url),
      () => nodeTool('engine-child', target.url, undefined, 1),
      () => nodeTool('engine-child', target.url, undefined, 2),
      () => nodeTool('autocannon-child', target.url),
    ];
    if (withWrk) maxTools.push(() => wrk(target.url));
    for (let rep = 0; rep < reps; rep++) {
      // Rotate the order so that no tool always runs first (or right after the same neighbour).
      for (let i = 0; i < maxTools.length; i++) add(max, await maxTools[(i + rep) % maxTools.length]!());
      for (const rate of rates) {
        const pair = [() => nodeTool('engine-child', target.url, rate), () => nodeTool('engine-child', target.url, rate, 1), () => nodeTool('autocannon-child', target.url, rate)];
        for (let i = 0; i < pair.length; i++) add(fixed, await pair[(i + rep) % pair.length]!());
      }
      process.stderr.write(`repetition ${rep + 1}/${reps} done\n`);
    }
  } finally {
    await target.stop();
  }

  const rows = [...max].map(([tool, runs]) => medianRow(tool, runs));
  const ac = rows.find((r) => r.tool === 'autocannon')!;
  console.log('\nClosed model, maximum throughput (medians)');
  console.log(`${'tool'.padEnd(12)}${pad('req/s', 10)}${pad('req/CPU-s', 11)}${pad('peak RSS MB', 13)}${pad('p99 ms', 9)}${pad('req/s ÷ ac', 12)}${pad('req/CPU-s ÷ ac', 16)}`);
  for (const r of rows) {
    console.log(`${r.tool.padEnd(12)}${pad(fmt(r.rps), 10)}${pad(fmt(r.perCpu), 11)}${pad(fmt(r.rss, 1), 13)}${pad(fmt(r.p99, 2), 9)}${pad(fmt(r.rps / ac.rps, 2), 12)}${pad(fmt(r.perCpu / ac.perCpu, 2), 16)}`);
  }

  console.log('\nOpen model, fixed rate (medians)');
  console.log(`${'tool'.padEnd(18)}${pad('asked', 8)}${pad('req/s', 10)}${pad('rate error', 12)}${pad('dropped', 9)}${pad('p99 ms', 9)}${pad('req/CPU-s', 11)}${pad('CPU s', 8)}${pad('RSS MB', 8)}`);
  const rateErrors = new Map<string, number>();
  for (const [tool, runs] of fixed) {
    const asked = Number(tool.split('@')[1]);
    const r = medianRow(tool, runs);
    const error = Math.max(...runs.map((m) => Math.abs(rps(m) - asked) / asked));
    rateErrors.set(tool, error);
    console.log(`${tool.padEnd(18)}${pad(fmt(asked), 8)}${pad(fmt(r.rps, 1), 10)}${pad(`${fmt(100 * error, 2)} %`, 12)}${pad(fmt(r.dropped), 9)}${pad(fmt(r.p99, 2), 9)}${pad(fmt(r.perCpu), 11)}${pad(fmt(median(runs.map((m) => m.cpuS)), 2), 8)}${pad(fmt(r.rss, 1), 8)}`);
  }

  const engine = rows.find((r) => r.tool === 'engine')!;
  const wrkRow = rows.find((r) => r.tool === 'wrk');
  const worstEngineRateError = Math.max(0, ...[...rateErrors].filter(([t]) => t.startsWith('engine')).map(([, e]) => e));
  const goals: [string, boolean, string][] = [
    ['req per CPU-second >= 1.3x autocannon', engine.perCpu >= 1.3 * ac.perCpu, `${fmt(engine.perCpu / ac.perCpu, 2)}x`],
    ['max req/s >= 0.6x wrk', wrkRow ? engine.rps >= 0.6 * wrkRow.rps : false, wrkRow ? `${fmt(engine.rps / wrkRow.rps, 2)}x` : 'wrk not installed'],
    ['rate error <= 0.5 %', worstEngineRateError <= 0.005, `${fmt(100 * worstEngineRateError, 2)} %`],
    [`peak RSS <= 150 MB at ${connections} connections`, engine.rss <= 150, `${fmt(engine.rss, 1)} MB`],
  ];
  const w1 = rows.find((r) => r.tool === 'engine-w1');
  const w2 = rows.find((r) => r.tool === 'engine-w2');
  if (w1 && w2) console.log(`\nworkers: 2 workers give ${fmt(w2.rps / w1.rps, 2)}x the req/s of 1 (goal 0.8 x 2 = 1.6x where cores are spare; the target shares these)`);
  console.log('\nGoals');
  for (const [goal, ok, actual] of goals) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${goal.padEnd(42)} ${actual}`);
  console.log(`\n${JSON.stringify({ target: target.kind, durationS, reps, connections, max: rows, fixed: Object.fromEntries([...fixed].map(([t, runs]) => [t, medianRow(t, runs)])) })}`);
  return 0;
}

process.exitCode = await main();
