// A stall of the tools' core, as a thread of higher priority makes one (V8's markers or compiler, another
// process): a busy loop of `ms` milliseconds under SCHED_FIFO, pinned to that core, `afterMs` after it is
// armed. Every normal thread on the core waits for it: a tool's sending loop comes back to find the
// arrivals due meanwhile, and the pacing bench's bins show what it does with them (--stall). Needs root
// (chrt) and pinning; the kernel's real-time throttling (95 % of each second) bounds it in any case.
import { execFileSync, spawn } from 'node:child_process';
import { pinned } from './targets.js';

/** `45@5`: a 45 ms stall 5 s after each tool's launch. */
export interface StallPlan {
  ms: number;
  afterMs: number;
}

export function parseStall(text: string): StallPlan {
  const m = /^(\d+(?:\.\d+)?)@(\d+(?:\.\d+)?)$/.exec(text);
  const ms = Number(m?.[1]);
  if (!m || !(ms > 0 && ms <= 500)) throw new Error(`--stall: MS@S with MS from 1 to 500 (e.g. 45@5), not ${text}`);
  return { ms, afterMs: Number(m[2]) * 1000 };
}

// Waits for a line on stdin, then spins: started ahead, at normal priority, so that its own start-up
// does not count in the stall; raised to SCHED_FIFO only just before the line.
const SPIN = (ms: number) => `process.stdin.once('data', () => { const t = performance.now(); while (performance.now() - t < ${ms}); process.exit(0); });`;

/** Arms one stall of `cpu`: resolves when it has run (or was cancelled with the returned function). */
export function armStall(cpu: number, plan: StallPlan): { done: Promise<void>; cancel: () => void } {
  const [command, args] = pinned(cpu, process.execPath, ['-e', SPIN(plan.ms)]);
  const hog = spawn(command, args, { stdio: ['pipe', 'ignore', 'inherit'] });
  const done = new Promise<void>((resolve) => hog.once('exit', () => resolve()));
  const timer = setTimeout(() => {
    try {
      execFileSync('chrt', ['-f', '-p', '50', String(hog.pid)]);
      hog.stdin!.write('go\n');
    } catch (err) {
      hog.kill('SIGKILL');
      throw err;
    }
  }, plan.afterMs);
  return {
    done,
    cancel: () => {
      clearTimeout(timer);
      hog.kill('SIGKILL');
    },
  };
}
