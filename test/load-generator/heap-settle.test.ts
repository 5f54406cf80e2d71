// A load worker collects its heap once at the end of its warm-up, so that V8's first major collection comes
// before the run's arrivals; a thread with V8's memory reducer does not (the reducer would answer with
// another collection 8 s later, in the run). The collection leaves V8's flags as they were.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import v8 from 'node:v8';
import { Worker, isMainThread } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { collectGarbage, memoryReducerMayCollect } from '../../src/util/heap.js';

/** A built module's URL, for import() in another thread or process. */
const dist = (path: string) => new URL(`../../dist/${path}`, import.meta.url).href;

/** Runs `body` and returns the forced major collections of this thread it made. */
async function forcedMajorCollections(body: () => Promise<void>): Promise<number> {
  const seen: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const detail = (e as unknown as { detail: { kind: number; flags: number } }).detail;
      if (detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR && detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) seen.push(e.startTime);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  await body();
  await new Promise((r) => setTimeout(r, 50)); // entries are delivered on a later turn
  observer.disconnect();
  return seen.length;
}

// The warm-up as a sending thread runs it (the built modules), watching that thread's own collections: in
// a worker thread, or on a process's own thread with a command's flags (`run`'s: the reducer cannot start).
const WARM_UP = (command: string) => `
const { parentPort } = await import('node:worker_threads');
const { PerformanceObserver, constants } = await import('node:perf_hooks');
const { setV8FlagsFor } = await import(${JSON.stringify(dist('src/cli/v8-flags.js'))});
${command ? `setV8FlagsFor(${JSON.stringify(command)});` : ''}
const { warmUp } = await import(${JSON.stringify(dist('actors/load-generator/warm-up.js'))});
const { memoryReducerMayCollect } = await import(${JSON.stringify(dist('src/util/heap.js'))});
let forced = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR && e.detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) forced++;
}).observe({ entryTypes: ['gc'] });
await warmUp([{ url: 'http://127.0.0.1:9/x', method: 'GET', headers: {}, weight: 1, timeout: 5 }], 2000).done; // done at 200 requests, well within the budget
await new Promise((r) => setTimeout(r, 50));
const result = { forced, reducer: memoryReducerMayCollect(), gc: typeof globalThis.gc };
if (parentPort) parentPort.postMessage(result);
else console.log(JSON.stringify(result));
`;

type WarmUpResult = { forced: number; reducer: boolean; gc: string };

function onOwnThread(command: string): WarmUpResult {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', WARM_UP(command)], { encoding: 'utf8', timeout: 20_000 });
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout) as WarmUpResult;
}

describe('collecting the heap before a run', () => {
  it('collectGarbage makes one full collection, twice over, and leaves V8 flags and globals as they were', async () => {
    const tag = v8.cachedDataVersionTag(); // V8's version and flags: a code cache is refused when it changes
    expect(await forcedMajorCollections(() => collectGarbage())).toBe(1);
    expect(await forcedMajorCollections(() => collectGarbage())).toBe(1);
    expect(v8.cachedDataVersionTag()).toBe(tag);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });

  it("V8's memory reducer may collect a process's own thread, not a worker's", () => {
    expect(memoryReducerMayCollect()).toBe(isMainThread);
  });

  it("`run`'s warm-up ends with one full collection of its own thread's heap; a peer's own thread keeps V8's schedule", () => {
    expect(onOwnThread('run')).toEqual({ forced: 1, reducer: false, gc: 'undefined' });
    expect(onOwnThread('start')).toEqual({ forced: 0, reducer: true, gc: 'undefined' });
    expect(onOwnThread('')).toEqual({ forced: 0, reducer: true, gc: 'undefined' });
  });

  it("a worker's warm-up ends with one full collection of its heap", async () => {
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(WARM_UP(''))}`));
    try {
      const [result] = (await Promise.race([once(worker, 'message'), once(worker, 'error').then(([err]) => Promise.reject(err as Error))])) as [WarmUpResult];
      expect(result).toEqual({ forced: 1, reducer: false, gc: 'undefined' });
    } finally {
      await worker.terminate();
    }
  });
});
