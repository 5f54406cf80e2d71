// What every benchmark child reports, and the helpers to run children and read their figures.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Measurement {
  tool: string;
  /** Requests completed during the run. */
  requests: number;
  dropped: number;
  errors: number;
  durationS: number;
  /** CPU seconds (user + system) of the load process during the run. */
  cpuS: number;
  peakRssMB: number;
  p99Ms: number;
  /** p99 of the sender's own lateness (actual − intended send), when the tool reports it. */
  latenessP99Ms?: number;
  /** The largest of them: a stall of the sender shows here, where p99 hides a few late sends. */
  latenessMaxMs?: number;
}

/** Prefix of the one stdout line that carries a child's JSON result. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

/** CPU seconds and peak RSS of this process; children call it around their run. */
export function selfUsage(): { cpuS: number; peakRssMB: number } {
  const u = process.cpuUsage();
  return { cpuS: (u.user + u.system) / 1e6, peakRssMB: process.resourceUsage().maxRSS / 1024 };
}

/** What the engine's children read from a run's summary (src/stats summarize, or a report's `summary`). */
export interface RunSummary {
  total_requests: number;
  failed_requests: number;
  dropped_requests: number;
  latency_ms: { p99: number };
  send_lateness_ms?: { p99: number; max: number } | undefined;
}

/** The engine's figures of one run: its summary, and this process's usage around the run. */
export function engineMeasurement(tool: string, summary: RunSummary, durationS: number, before: ReturnType<typeof selfUsage>, after: ReturnType<typeof selfUsage>): Measurement {
  return {
    tool,
    requests: summary.total_requests,
    dropped: summary.dropped_requests,
    errors: summary.failed_requests,
    durationS,
    cpuS: after.cpuS - before.cpuS,
    peakRssMB: after.peakRssMB,
    p99Ms: summary.latency_ms.p99,
    latenessP99Ms: summary.send_lateness_ms?.p99 ?? 0,
    latenessMaxMs: summary.send_lateness_ms?.max ?? 0,
  };
}

export function printResult(m: Measurement): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(m)}\n`);
}

/** Peak RSS (VmHWM) of a live process, in MB; 0 once it is gone. */
export function peakRssOf(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Children of a process (Linux), for finding the tool behind a shell. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export interface ChildRun {
  stdout: string;
  stderr: string;
  code: number | null;
  /** Highest VmHWM seen of the process or its children while it ran. */
  peakRssMB: number;
}

/** Runs a command to completion with a hard time limit, sampling the peak RSS of it and its children. */
export function runChild(command: string, args: readonly string[], limitMs: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const sample = setInterval(() => {
      if (child.pid === undefined) return;
      for (const pid of [child.pid, ...childrenOf(child.pid)]) peak = Math.max(peak, peakRssOf(pid));
    }, 100);
    const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', (err) => {
      clearInterval(sample);
      clearTimeout(limit);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(sample);
      clearTimeout(limit);
      resolve({ stdout, stderr, code, peakRssMB: peak });
    });
  });
}

/** The JSON result line of a Node child. */
export function resultOf(run: ChildRun): Measurement {
  const line = run.stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (line === undefined) throw new Error(`no result from child (exit ${run.code}): ${run.stderr.slice(-500)}`);
  const m = JSON.parse(line.slice(RESULT_PREFIX.length)) as Measurement;
  return { ...m, peakRssMB: Math.max(m.peakRssMB, run.peakRssMB) };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
