// Fixed-rate pacing against autocannon in the same run: CPU of the whole load process, count error,
// empty 10 ms bins and the largest 10 ms bin against the mean (arrival times taken at the target, see
// --target), and the engine's own sender lateness (p99, and the largest of any repetition: a bin
// above 3x the mean with no late send was the target's, not the sender's). Interleaved repetitions, medians. Beside
// them the floor of even pacing in Node (floor-child.ts: the engine's wake-ups and connections, nothing
// parsed or recorded): the engine's CPU over it is what its own work costs, and autocannon's under it is
// what its bursts save.
//
//   node dist/scripts/bench/pacing.js [--duration 10] [--reps 3] [--rates 1000,5000] [--workers 0,1,run] [--target nginx|node] [--root DIR]...
// (--workers: 0 the engine on the process's main thread, as a peer with `workers: 0` runs it; 1 on one load
// worker, as a peer runs it below 10,000 req/s, both with the V8 flags peer.js sets for a peer; run: the
// command `node peer.js run` itself on a one-task plan, in its process as peer.js starts it, rows prefixed
// `run:`)
// (--target nginx|node: where the requests go and their arrivals are timed; nginx, as the issue measured,
// when it is installed (one worker on core 0, its access log giving each arrival to 1 ms), else node: the
// counting target in this process)
// (--root: another checkout's build, its engine run interleaved beside this one, rows prefixed `before:`;
// given more than once, each checkout's rows are prefixed with its folder's name instead)
// (--stall MS@S: the tools' core taken for MS ms, S s after each tool's launch, by a busy loop under
// SCHED_FIFO (stall.ts), as a collection or a thread of higher priority takes it: how each tool comes out
// of a stall, in its largest bin and its sender's lateness; needs root)
import '../../src/polyfill.js';
import { loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startCountingTarget } from '../../test/support/counting-target.js';
import { median, resultOf, runChild, type Measurement } from './measure.js';
import { installed, pinned, pinning, startLoggingNginx, TARGET_CPU, TOOL_CPU } from './targets.js';
import { armStall, parseStall } from './stall.js';

const { values: opts } = parseArgs({ options: { duration: { type: 'string', default: '10' }, reps: { type: 'string', default: '3' }, rates: { type: 'string', default: '1000,5000' }, workers: { type: 'string', default: '0,1,run' }, root: { type: 'string', multiple: true }, target: { type: 'string' }, stall: { type: 'string' } } });
const durationS = Math.min(60, Math.max(2, Number(opts.duration)));
const reps = Math.min(15, Math.max(1, Math.floor(Number(opts.reps))));
const rates = opts.rates.split(',').map(Number).filter((r) => r > 0 && r <= 50_000);
const stall = opts.stall === undefined ? undefined : parseStall(opts.stall);
if (stall && !(process.getuid?.() === 0 && installed('chrt') && pinning !== 'no core pinning')) throw new Error('--stall needs root, chrt and core pinning');
const child = (name: string) => new URL(`./${name}.js`, import.meta.url).pathname;
/**
 * How the engine runs: on the main thread or one worker of a peer (engine-child, with the V8 flags peer.js
 * sets for a peer), or as `node peer.js run` runs it (run-child: its flags, its bundle and code cache).
 */
interface EngineMode {
  label: string;
  workers: number;
  child: 'engine-child' | 'run-child';
}
const modes: EngineMode[] = opts.workers.split(',').flatMap((w): EngineMode[] => {
  if (w === 'run') return [{ label: 'run:', workers: 0, child: 'run-child' }];
  return w === '0' || w === '1' ? [{ label: '', workers: Number(w), child: 'engine-child' }] : [];
});
const nodeFlagsOf = (m: EngineMode): string[] => (m.child === 'engine-child' ? ['--import', child('peer-flags')] : []);
const others = (opts.root ?? []).map((root) => ({
  label: (opts.root ?? []).length === 1 ? 'before:' : `${basename(resolve(root))}:`,
  dir: join(resolve(root), 'dist/scripts/bench'),
}));

interface Evenness {
  countError: number;
  emptyBins: number;
  maxOverMean: number;
}

/** Count error over every arrival; bins of 10 ms over the asked duration, from the first arrival. */
function evenness(arrivals: Float64Array, rate: number): Evenness {
  const sorted = Float64Array.from(arrivals).sort();
  const start = sorted[0] ?? 0;
  const n = Math.floor((durationS * 1000) / 10);
  const bins = new Array<number>(n).fill(0);
  for (const t of sorted) {
    const i = Math.floor((t - start) / 10);
    if (i >= 0 && i < n) bins[i]!++;
  }
  const mean = (rate * 10) / 1000;
  return { countError: (sorted.length - rate * durationS) / (rate * durationS), emptyBins: bins.filter((b) => b === 0).length / n, maxOverMean: Math.max(...bins) / mean };
}

type Row = Measurement & Evenness;

/** Where arrivals are counted: nginx as the issue measured (when installed), or the counting target in this process. */
interface ArrivalTarget {
  url: string;
  reset(): void;
  arrivals(): Float64Array | Promise<Float64Array>;
  close(): Promise<void>;
}
const targetKind = opts.target ?? (installed('nginx') ? 'nginx' : 'node');
if (targetKind !== 'nginx' && targetKind !== 'node') throw new Error(`--target: nginx or node, not ${targetKind}`);
const target: ArrivalTarget = targetKind === 'nginx' ? await startLoggingNginx() : await startCountingTarget();
const runs = new Map<string, Row[]>();
console.log(
  `pacing: ${reps} interleaved repetitions of ${durationS} s against ${targetKind === 'nginx' ? `nginx (one worker, core ${TARGET_CPU})` : 'the counting target in this process'}; ${pinning}${stall ? `; the tools' core stalled ${stall.ms} ms ${stall.afterMs / 1000} s after each launch` : ''}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
);
try {
  for (let rep = 0; rep < reps; rep++) {
    for (const rate of rates) {
      type Tool = [label: string, script: string, extra: { workers?: number }, nodeFlags: string[]];
      const tools: Tool[] = [
        ...modes.map((m): Tool => [m.label, child(m.child), { workers: m.workers }, nodeFlagsOf(m)]),
        ['', child('autocannon-child'), {}, []],
        ['', child('floor-child'), {}, []],
        ...others.flatMap(({ label, dir }) => modes.map((m): Tool => [label + m.label, join(dir, `${m.child}.js`), { workers: m.workers }, nodeFlagsOf(m)])),
      ];
      for (let i = 0; i < tools.length; i++) {
        const [label, script, extra, nodeFlags] = tools[(i + rep) % tools.length]!;
        target.reset();
        const config = JSON.stringify({ url: target.url, durationS, connections: 100, rps: rate, ...extra });
        const stalling = stall && armStall(TOOL_CPU, stall);
        const m = resultOf(await runChild(...pinned(TOOL_CPU, process.execPath, [...nodeFlags, script, config]), (durationS + 30) * 1000));
        if (stalling) {
          stalling.cancel();
          await stalling.done;
        }
        const tool = label + m.tool;
        const row = { ...m, tool, ...evenness(await target.arrivals(), rate) };
        runs.set(tool, [...(runs.get(tool) ?? []), row]);
        // Each repetition's figures on stderr: a median hides whether one run or all were disturbed.
        process.stderr.write(`  ${tool}: CPU ${row.cpuS.toFixed(2)} s, empty ${(100 * row.emptyBins).toFixed(1)} %, max bin ${row.maxOverMean.toFixed(2)}, lateness p99 ${row.latenessP99Ms?.toFixed(2) ?? '-'} ms, max ${row.latenessMaxMs?.toFixed(1) ?? '-'} ms, load ${loadavg()[0]!.toFixed(2)}\n`);
      }
    }
    process.stderr.write(`repetition ${rep + 1}/${reps} done\n`);
  }
} finally {
  await target.close();
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
console.log(`\n${'tool'.padEnd(24)}${'CPU s'.padStart(8)}${'CPU ÷ ac'.padStart(10)}${'÷ floor'.padStart(9)}${'count err'.padStart(11)}${'empty 10ms'.padStart(12)}${'max bin÷mean'.padStart(14)}${'lateness p99 ms'.padStart(17)}${'max ms'.padStart(8)}`);
for (const [tool, rows] of runs) {
  const rate = tool.split('@')[1];
  const ac = runs.get(`autocannon@${rate}`) ?? [];
  const floor = runs.get(`floor@${rate}`) ?? [];
  const cpu = median(rows.map((r) => r.cpuS));
  console.log(
    `${tool.padEnd(24)}${cpu.toFixed(2).padStart(8)}${(cpu / median(ac.map((r) => r.cpuS))).toFixed(2).padStart(10)}${(cpu / median(floor.map((r) => r.cpuS))).toFixed(2).padStart(9)}${pct(median(rows.map((r) => r.countError))).padStart(11)}` +
      `${pct(median(rows.map((r) => r.emptyBins))).padStart(12)}${median(rows.map((r) => r.maxOverMean)).toFixed(2).padStart(14)}${(rows[0]?.latenessP99Ms === undefined ? '-' : median(rows.map((r) => r.latenessP99Ms ?? 0)).toFixed(2)).padStart(17)}` +
      `${(rows[0]?.latenessMaxMs === undefined ? '-' : Math.max(...rows.map((r) => r.latenessMaxMs ?? 0)).toFixed(1)).padStart(8)}`,
  );
}
