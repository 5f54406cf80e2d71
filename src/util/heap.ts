// A full garbage collection of this thread's heap, on demand: for a sender about to start, so that V8's first
// major collection comes before its arrivals rather than among them. (An idle peer's heap: heap-trim.ts.)
//
// Why: a thread's heap grows as it boots and warms up (modules, compiled code, a young generation grown to
// its working size), and V8 then starts its first major collection by itself, 2 s into a run at 5,000
// req/s, 6-7 s at 1,000: incremental marking, its markers on V8's helper threads, a final pause. On one
// core (a pinned generator, a small host) the helpers take the core from the sender in 4 ms turns: in
// `node peer.js run` at 5,000 req/s the sender was then 1-19 ms late (over 5 ms in 15 of 20 runs),
// against at most 1.3 ms with one collection before the start (docs/performance.md, 5 December). After
// it, the heap's next limit is set from what is live, above what a run adds.
//
// Node has no API for it: V8's `gc` extension is what `node --expose-gc` installs. The flag is set only
// while a fresh context is made (the extension is installed in it), then put back, so that V8's flag hash,
// and with it a code cache made later, stays as it was.
import v8 from 'node:v8';
import vm from 'node:vm';
import { isMainThread } from 'node:worker_threads';
import { launchedWith } from './launch-flags.js';

/** Launched with V8's memory reducer off everywhere (flags, NODE_OPTIONS). */
export const memoryReducerOffByUser = launchedWith('--no-memory-reducer');

/**
 * Whether V8's memory reducer may collect this thread's heap. A process's own thread has one, load workers
 * do not (actors/load-generator/worker-pool.ts), and it collects only by incremental marking, which
 * `run` turns off (src/cli/v8-flags.ts). Where it may, a full collection re-arms it, and it collects
 * again 8 s later if the thread allocates little (measured on Node 20 with a 30 s start delay set): a
 * collection before a run's start would bring another into the run.
 */
export function memoryReducerMayCollect(): boolean {
  return isMainThread && !memoryReducerOffByUser && !launchedWith('--no-incremental-marking');
}

type Collect = (options: { type: 'major'; execution: 'async' }) => PromiseLike<void>;

let collect: Collect | null | undefined;

function collector(): Collect | null {
  if (collect !== undefined) return collect;
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return (collect = exposed as Collect);
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    collect = typeof gc === 'function' ? (gc as Collect) : null;
  } catch {
    collect = null;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  return collect;
}

/** Collects this thread's whole heap (V8 runs it as a task, a few ms); resolves when done, never throws. */
export async function collectGarbage(): Promise<void> {
  try {
    await collector()?.({ type: 'major', execution: 'async' });
  } catch {
    // Nothing to undo: the run starts with the heap as it is.
  }
}
