// This thread's heap, collected on demand: for a sender about to start, so that V8's first major collection
// comes before its arrivals rather than among them (collectGarbage); and an idle peer's, shrunk when it has
// crept up (trimHeapWhenIdle, below).
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
import { Session } from 'node:inspector';
import v8 from 'node:v8';
import vm from 'node:vm';
import { isMainThread } from 'node:worker_threads';
import { launchedWith } from './launch-flags.js';
import type { Clock, TimerHandle } from './clock.js';

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

/**
 * Shrinks this thread's heap as far as it goes: V8's collections for low memory, which compact old space and
 * give its free pages back to the system (what the memory reducer does), a few ms to a few tens of ms.
 * `collectGarbage` cannot: on Node 20 the `gc` extension's major collection keeps every committed page (an
 * idle peer's old space held 21.7 MB with 17.2 MB live after it, 17.7 MB after this), and its
 * memory-reducing flavour needs V8 12. An inspector session in this process reaches it on every Node; it
 * opens no port. Never throws.
 */
export async function reduceHeap(): Promise<void> {
  let session: Session | undefined;
  try {
    session = new Session();
    session.connect();
    await new Promise<void>((resolve) => session!.post('HeapProfiler.collectGarbage', () => resolve()));
  } catch {
    // The heap stays as it is.
  } finally {
    session?.disconnect();
  }
}

/** How often an idle peer looks at its heap (`trimHeapWhenIdle`). */
export const TRIM_CHECK_MS = 60_000;
/**
 * How far its committed heap may grow over the least it held since the last trim before it is trimmed
 * again: 3 MB, or a tenth of that least for a heap over 30 MB (a trim costs in proportion to what is live).
 */
export const TRIM_GROWTH_BYTES = 3 * 1024 * 1024;
export const TRIM_GROWTH_SHARE = 0.1;
/**
 * How long after a peer's start its first trim may come: its first minutes are V8 optimising its code, when
 * the coordinator's CPU is nearest the goal, and V8's collections for low memory drop compiled code, which
 * the peer then compiles and optimises again. Trimmed whenever grown (every minute or two), 10 idle peers
 * cost 1.05 % of a core each instead of 0.80 % (the coordinator 1.55 % against 1.05 %), for RSS 93-97 MB
 * against 99-100.4 MB after 9 minutes; at most every 5 minutes they cost 0.77 % and still reached 97-102 MB
 * (5 December, docs/performance.md).
 */
export const TRIM_FIRST_AFTER_MS = 5 * 60_000;

/** What trimHeapWhenIdle needs: its timer, whether load runs here, the committed heap's size, a full collection. */
export interface HeapTrimDeps {
  clock: Pick<Clock, 'now' | 'schedule' | 'cancel'>;
  /** Load runs on this process now: its collections are left to V8. */
  busy(): boolean;
  /** Bytes the thread's heap holds from the system (V8's total_heap_size). */
  committed?(): number;
  collect?(): Promise<void>;
}

/**
 * Keeps an idle peer's heap from creeping up. V8's memory reducer shrinks a heap gone quiet once (half a
 * minute after it is armed, src/cli/v8-flags.ts), and arms itself again only when the committed heap has
 * grown by 10 MB since. An idle peer's heap grows slower than that: garbage promoted from its messages
 * (gossip, heartbeats, health samples that live a few seconds) fills old-space pages, and the pages stay
 * committed after V8's own collections. Measured on 5 December (10 idle peers, 12 minutes): every peer's
 * RSS rose from 86-98 MB in its first minute to 99-103 MB, the old space committed from 17.7 to 24.7 MB
 * with 17.5 MB live. So every TRIM_CHECK_MS, while no load runs here, it shrinks the heap (reduceHeap)
 * whenever the committed heap has grown TRIM_GROWTH_BYTES (or TRIM_GROWTH_SHARE) over the least it has held
 * since the last time, from TRIM_FIRST_AFTER_MS after the start: tens of ms of the main thread each, and
 * the code it drops compiled again: 10 idle peers after 8 minutes cost 0.91 % of a core (median) against
 * 0.80 % untrimmed, with RSS at most 96 MB against 100.4 MB (5 December).
 */
export function trimHeapWhenIdle(deps: HeapTrimDeps): { close(): void } {
  const committed = deps.committed ?? (() => v8.getHeapStatistics().total_heap_size);
  const collect = deps.collect ?? reduceHeap;
  let floor = committed();
  const firstAt = deps.clock.now() + TRIM_FIRST_AFTER_MS;
  let timer: TimerHandle | undefined;
  let closed = false;
  const check = async (): Promise<void> => {
    const held = committed();
    // The floor is the least the heap has held since the last trim: a peer's heap is at its largest as it boots.
    if (held < floor) floor = held;
    else if (!deps.busy() && held > floor + Math.max(TRIM_GROWTH_BYTES, floor * TRIM_GROWTH_SHARE) && deps.clock.now() >= firstAt) {
      await collect();
      floor = committed();
    }
    if (!closed) timer = deps.clock.schedule(() => void check(), TRIM_CHECK_MS);
  };
  timer = deps.clock.schedule(() => void check(), TRIM_CHECK_MS);
  return {
    close() {
      closed = true;
      if (timer) deps.clock.cancel(timer);
    },
  };
}
