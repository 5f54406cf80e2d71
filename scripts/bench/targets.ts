// The benchmark target: nginx (worker_processes 1, `return 200 "ok"`, no access log) from a temporary
// config when nginx is installed, else the counting target in a child process; and nginx that logs each
// arrival (startLoggingNginx, for the pacing bench). Loopback only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../lib/peer-process.js';

export interface BenchTarget {
  kind: 'nginx' | 'counting-target';
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export function installed(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** Core 0 for the target, core 1 for the tool under test (with taskset and two cores or more): less noise. */
export const TARGET_CPU = 0;
export const TOOL_CPU = 1;
// BENCH_NO_PIN=1 measures as ../shared/PERF-NOTES.md did: tool and target share both cores.
const canPin = cpus().length >= 2 && installed('taskset') && process.env.BENCH_NO_PIN !== '1';

/** The command and arguments to run `command` pinned to one core, when pinning is possible. */
export function pinned(cpu: number, command: string, args: readonly string[]): [string, string[]] {
  return canPin ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, [...args]];
}

export const pinning = canPin ? `target on core ${TARGET_CPU}, tools on core ${TOOL_CPU}` : 'no core pinning';

/** Polls until an HTTP GET answers, for at most `limitMs`. */
async function waitReady(url: string, limitMs = 5000): Promise<void> {
  const until = Date.now() + limitMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`target ${url} did not answer within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopper(child: ChildProcess, cleanup: () => void): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    cleanup();
  };
}

/** nginx that logs each request's arrival: the time it was answered, in ms since the epoch, to 1 ms. */
export interface LoggingNginx extends BenchTarget {
  /** The same as stop. */
  close(): Promise<void>;
  /** Forgets the arrivals so far (they stay in the file; the next read starts after them). */
  reset(): void;
  /** The arrivals since the last reset, once nginx has flushed its log (it does within a second). */
  arrivals(): Promise<Float64Array>;
}

/**
 * nginx as startNginx runs it, with an access log of `$msec` (buffered, flushed each second): what the
 * issue's side-by-side measures used as the target, with the arrival times that evenness needs.
 */
export async function startLoggingNginx(): Promise<LoggingNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpdt-nginx-'));
  const log = join(dir, 'arrivals.log');
  const target = await startNginx(dir, `log_format arrivals '$msec';\n  access_log ${log} arrivals buffer=64k flush=1s;`);
  let from = 0;
  // Arrivals logged before the last reset but flushed after it (nginx writes its log each second: the
  // readiness probe's line came with the first tool's arrivals, one extra and a gap of empty bins) are
  // told apart by their time, on the same clock.
  let since = 0;
  const size = () => (existsSync(log) ? statSync(log).size : 0);
  return {
    ...target,
    close: target.stop,
    reset: () => {
      from = size();
      since = Date.now();
    },
    async arrivals() {
      // Wait out the flush interval, then until the file stops growing.
      await new Promise((r) => setTimeout(r, 1_200));
      for (let last = -1; last !== size(); ) {
        last = size();
        await new Promise((r) => setTimeout(r, 200));
      }
      const text = readFileSync(log, 'latin1').slice(from); // one byte a character: `from` counts both
      from += text.length;
      const lines = text.split('\n').filter((l) => l !== '');
      return Float64Array.from(lines, (l) => Number(l) * 1000).filter((t) => t >= since);
    },
  };
}

async function startNginx(dir = mkdtempSync(join(tmpdir(), 'mcpdt-nginx-')), accessLog = 'access_log off;'): Promise<BenchTarget> {
  const port = await freePort();
  const temp = (name: string) => `${name}_temp_path ${join(dir, name)};`;
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')};
events { worker_connections 4096; }
http {
  ${accessLog}
  keepalive_requests 100000000;
  keepalive_timeout 65;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  server {
    listen 127.0.0.1:${port};
    location / { return 200 "ok"; }
  }
}
`,
  );
  const child = spawn(...pinned(TARGET_CPU, 'nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir]), { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/`;
  const stop = stopper(child, () => rmSync(dir, { recursive: true, force: true }));
  try {
    await waitReady(url);
  } catch (err) {
    await stop();
    throw err;
  }
  return { kind: 'nginx', url, pid: child.pid!, stop };
}

async function startCountingChild(): Promise<BenchTarget> {
  const script = new URL('./target-child.js', import.meta.url).pathname;
  const child = spawn(...pinned(TARGET_CPU, process.execPath, [script, '3600']), { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(`${d.toString().trim()}/`));
    child.once('error', reject);
  });
  await waitReady(url);
  return { kind: 'counting-target', url, pid: child.pid!, stop: stopper(child, () => {}) };
}

export function startTarget(): Promise<BenchTarget> {
  return installed('nginx') ? startNginx() : startCountingChild();
}
