// The load worker threads of this process: started once, on first use or ahead of it, and shared by
// every run. An idle worker does not keep the process alive; one with a part of a run does. A worker
// that dies fails the parts it carried (their tallies since the last flush are lost) and is replaced.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { memoryReducerOffByUser } from '../../src/util/heap.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/** What the owner of a part hears about it. */
export interface PartListener {
  onMessage(msg: Exclude<FromWorker, { type: 'ready' }>): void;
  /** The worker died: the part is over. */
  onCrash(error: string): void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  isReady: boolean;
  parts: Map<string, PartListener>;
}

/**
 * The worker thread's entry. From the bundle (this code is then dist/bundle/cli.cjs or worker.cjs), the
 * bundle's entry beside it. From the modules tsc wrote (or, under vitest, from the TypeScript sources),
 * the bundle's entry too when there is one, as peer.js loads the command line (one file, compiled with
 * V8's code cache: a worker whose cache holds what its first run compiled spends about a tenth less CPU
 * on a 10 s run at 1,000 req/s than one that compiles the run's code as it goes, scripts/bench/pacing.ts),
 * else the module beside this file; MCP_NO_BUNDLE=1 forces the latter, as for peer.js.
 */
function workerScript(): URL {
  const here = import.meta.url;
  if (here.endsWith('.cjs')) return new URL('./worker-entry.js', here);
  const dist = here.endsWith('.ts') ? new URL('../../dist/', here) : new URL('../../', here);
  const bundled = new URL('bundle/worker-entry.js', dist);
  if (process.env.MCP_NO_BUNDLE !== '1' && existsSync(bundled)) return bundled;
  return new URL('actors/load-generator/worker-entry.js', dist);
}

let configured: number | undefined;
const slots: Slot[] = [];

/** Workers a run may use by default: the configured number, else MCP_LOAD_WORKERS, else the host's cores. */
export function loadWorkerCount(): number {
  if (configured !== undefined) return configured;
  const env = Number(process.env.MCP_LOAD_WORKERS);
  return process.env.MCP_LOAD_WORKERS !== undefined && process.env.MCP_LOAD_WORKERS !== '' && Number.isInteger(env) && env >= 0 ? env : availableParallelism();
}

/** Sets the default number of load workers for this process (0: load runs on the calling thread). */
export function setLoadWorkerCount(n: number): void {
  configured = Math.max(0, Math.floor(n));
}

let settingUp = 0;
/**
 * Starts a worker whose isolate has no memory reducer. V8 reads the flag as it sets an isolate up, so
 * it is off only while workers boot (set back once they run: code caches are made under the process's
 * usual flags) and the peer's own thread keeps its reducer, which shrinks an idle control plane. In a
 * worker, eight seconds into a run the reducer took the sending thread's low allocation rate for the end
 * of a busy phase and ran up to three compacting collections of 15-19 ms each: the arrivals due meanwhile
 * went out together, 2.5-3.8x the mean in one 10 ms bin (scripts/bench/pacing.ts, 1,000 req/s). An idle
 * worker keeps its heap until it is retired (WORKERS_IDLE_MS in actor.ts).
 */
function workerWithoutMemoryReducer(index: number): Worker {
  if (settingUp++ === 0 && !memoryReducerOffByUser) v8.setFlagsFromString('--no-memory-reducer');
  let counted = true;
  const setUp = () => {
    if (!counted) return;
    counted = false;
    if (--settingUp === 0 && !memoryReducerOffByUser) v8.setFlagsFromString('--memory-reducer');
  };
  let worker: Worker;
  try {
    worker = new Worker(workerScript(), { name: `load-worker-${index}` });
  } catch (err) {
    setUp();
    throw err;
  }
  worker.once('online', setUp);
  worker.once('error', setUp);
  worker.once('exit', setUp);
  return worker;
}

function spawn(index: number): Slot {
  const worker = workerWithoutMemoryReducer(index);
  const parts = new Map<string, PartListener>();
  const { promise: ready, resolve } = Promise.withResolvers<void>();
  const slot: Slot = { worker, ready, isReady: false, parts };
  worker.on('message', (msg: FromWorker) => {
    if (msg.type === 'ready') {
      slot.isReady = true;
      if (parts.size === 0) worker.unref();
      return resolve();
    }
    const listener = parts.get(msg.key);
    if (msg.type === 'done') release(slot, msg.key);
    listener?.onMessage(msg);
  });
  const crash = (why: string) => {
    resolve();
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    const lost = [...parts.values()];
    parts.clear();
    for (const listener of lost) listener.onCrash(why);
  };
  worker.on('error', (err) => crash(`load worker failed: ${err.message}`));
  worker.on('exit', (code) => crash(`load worker exited with code ${code}`));
  // Referenced while it boots (someone may be waiting for it), then only while it carries a part.
  return slot;
}

function release(slot: Slot, key: string): void {
  slot.parts.delete(key);
  if (slot.parts.size === 0) slot.worker.unref();
}

function slotAt(i: number): Slot {
  while (slots.length <= i) slots.push(spawn(slots.length));
  return slots[i]!;
}

/** Starts `n` workers ahead of the first run (so that its start does not wait for them); resolves when they are ready. */
export async function prepareLoadWorkers(n = loadWorkerCount()): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => slotAt(i).ready));
}

/**
 * How many workers, up to `n`, can take a part now. A run never waits for a worker to boot (over a
 * second on a loaded machine, and booting competes with the run for the cores): with none booted by
 * prepareLoadWorkers, it sends on its own thread. (A peer's generator waits for them before it starts
 * a run, when the run's start leaves time: see deferred-run.ts.)
 */
export function readyLoadWorkers(n: number): number {
  return Math.min(n, slots.filter((s) => s.isReady).length);
}

/**
 * The booted load workers: the node monitor reads each one's event-loop utilization from this thread
 * (`worker.performance`), since a starved worker falls behind while the peer's own loop looks idle.
 */
export function loadWorkerThreads(): Worker[] {
  return slots.filter((s) => s.isReady).map((s) => s.worker);
}

/** Worker threads alive (booting or booted). */
export function loadWorkersAlive(): number {
  return slots.length;
}

/** A part of a run on worker `i`; returns how to talk to it. */
export function startPart(i: number, msg: Extract<ToWorker, { type: 'start' }>, listener: PartListener): (msg: ToWorker) => void {
  const ready = slots.filter((s) => s.isReady);
  const slot = ready.length > 0 ? ready[i % ready.length]! : slotAt(i);
  slot.parts.set(msg.key, listener);
  slot.worker.ref();
  slot.worker.postMessage(msg);
  return (next) => {
    if (slot.parts.has(msg.key)) slot.worker.postMessage(next);
  };
}

/** Ends the idle workers beyond the first `keep` (their memory goes back: about 30 MB each). */
export async function retireLoadWorkers(keep: number): Promise<void> {
  const idle = slots.slice(keep).filter((s) => s.parts.size === 0);
  for (const s of idle) slots.splice(slots.indexOf(s), 1);
  await Promise.all(idle.map((s) => s.worker.terminate()));
}

/** Ends every worker (for tests and an orderly exit). */
export async function closeLoadWorkers(): Promise<void> {
  const all = slots.splice(0);
  await Promise.all(all.map((s) => s.worker.terminate()));
}
