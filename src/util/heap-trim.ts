// An idle peer's heap, shrunk when it has crept up: V8's collections for low memory (reduceHeap), made by
// trimHeapWhenIdle while no load runs.
import { Session } from 'node:inspector';
import v8 from 'node:v8';
import type { Clock, TimerHandle } from './clock.js';

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

/**
 * How often an idle peer looks at its heap (`trimHeapWhenIdle`), from its start on. Its heap is at its
 * largest in its first minutes (the cluster forming, its code being compiled), and V8 shrank it on its own
 * only after about 4 minutes: in 10 idle peers watched minute by minute, the coordinator held 99-103 MB in
 * its first three minutes (old space 25.7-27.7 MB committed, 18.8 MB of it in use). Later, an idle
 * coordinator among 10 promotes some 3.5 MB a minute to its old space (heap sampling, 5 December), so a
 * check every minute let its heap grow 4.5-5 MB past the last trim before the next: every half minute, a
 * trim comes once it has grown TRIM_GROWTH_BYTES, as many trims for the same garbage and the peaks 1.5-2 MB
 * lower. A trim costs the main thread 35-75 ms, and V8 optimises 3-4 functions again after it (5 December,
 * docs/performance.md); a check costs one read of the heap's statistics.
 */
export const TRIM_CHECK_MS = 30_000;
/**
 * How far its committed heap may grow over the least it held since the last trim before it is trimmed
 * again: 3 MB, or a tenth of that least for a heap over 30 MB (a trim costs in proportion to what is live).
 */
export const TRIM_GROWTH_BYTES = 3 * 1024 * 1024;
export const TRIM_GROWTH_SHARE = 0.1;

/** What trimHeapWhenIdle needs: its timer, whether load runs here, the committed heap's size, a full collection. */
export interface HeapTrimDeps {
  clock: Pick<Clock, 'schedule' | 'cancel'>;
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
 * since the last time: tens of ms of the main thread each, and the code it drops compiled again. 10 idle
 * peers after 8 minutes cost 0.91 % of a core (median) against 0.80 % untrimmed, with RSS at most 96 MB
 * against 100.4 MB (5 December).
 */
export function trimHeapWhenIdle(deps: HeapTrimDeps): { close(): void } {
  const committed = deps.committed ?? (() => v8.getHeapStatistics().total_heap_size);
  const collect = deps.collect ?? reduceHeap;
  let floor = committed();
  let timer: TimerHandle | undefined;
  let closed = false;
  const check = async (): Promise<void> => {
    const held = committed();
    // The floor is the least the heap has held since the last trim: a peer's heap is at its largest as it boots.
    if (held < floor) floor = held;
    else if (!deps.busy() && held > floor + Math.max(TRIM_GROWTH_BYTES, floor * TRIM_GROWTH_SHARE)) {
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
