// A load worker collects its heap once at the end of its warm-up, so that V8's first major collection comes
// before the run's arrivals; a thread with V8's memory reducer does not (the reducer would answer with
// another collection 8 s later, in the run). The collection leaves V8's flags as they were.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { Worker, isMainThread } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { collectGarbage, memoryReducerMayCollect } from '../../src/util/heap.js';

const dist = (path: string) => fileURLToPath(new URL(`../../dist/${path}`, import.meta.url));

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

// The warm-up in a worker thread, as a load worker runs it (the built modules), watching its own collections.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { PerformanceObserver, constants } = require('node:perf_hooks');
(async () => {
  const { warmUp } = await import(workerData.warmUp);
  const { memoryReducerMayCollect } = await import(workerData.heap);
  let forced = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR && e.detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) forced++;
  });
  observer.observe({ entryTypes: ['gc'] });
  await warmUp([{ url: 'http://127.0.0.1:9/x', method: 'GET', headers: {}, weight: 1, timeout: 5 }], 2000).done; // done at 200 requests, well within the budget
  await new Promise((r) => setTimeout(r, 50));
  parentPort.postMessage({ forced, reducer: memoryReducerMayCollect(), gc: typeof globalThis.gc });
})().catch((err) => parentPort.postMessage({ error: String(err) }));
`;

// The same on a process's own thread: with `run`'s flags (the reducer cannot start), and without.
const MAIN = (command: string) => `
const { PerformanceObserver, constants } = await import('node:perf_hooks');
const { setV8FlagsFor } = await import(${JSON.stringify(pathToFileURL(dist('src/cli/v8-flags.js')).href)});
${command ? `setV8FlagsFor(${JSON.stringify(command)});` : ''}
const { warmUp } = await import(${JSON.stringify(pathToFileURL(dist('actors/load-generator/warm-up.js')).href)});
const { memoryReducerMayCollect } = await import(${JSON.stringify(pathToFileURL(dist('src/util/heap.js')).href)});
let forced = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR && e.detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) forced++;
}).observe({ entryTypes: ['gc'] });
await warmUp([{ url: 'http://127.0.0.1:9/x', method: 'GET', headers: {}, weight: 1, timeout: 5 }], 2000).done; // done at 200 requests, well within the budget
await new Promise((r) => setTimeout(r, 50));
console.log(JSON.stringify({ forced, reducer: memoryReducerMayCollect() }));
process.exit(0);
`;

function onOwnThread(command: string): { forced: number; reducer: boolean } {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', MAIN(command)], { encoding: 'utf8', timeout: 20_000 });
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout) as { forced: number; reducer: boolean };
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
    expect(onOwnThread('run')).toEqual({ forced: 1, reducer: false });
    expect(onOwnThread('start')).toEqual({ forced: 0, reducer: true });
    expect(onOwnThread('')).toEqual({ forced: 0, reducer: true });
  });

  it("a worker's warm-up ends with one full collection of its heap", async () => {
    const worker = new Worker(WORKER, { eval: true, workerData: { warmUp: dist('actors/load-generator/warm-up.js'), heap: dist('src/util/heap.js') } });
    try {
      const [result] = (await once(worker, 'message')) as [{ forced: number; reducer: boolean; gc: string; error?: string }];
      expect(result.error).toBeUndefined();
      expect(result).toEqual({ forced: 1, reducer: false, gc: 'undefined' });
    } finally {
      await worker.terminate();
    }
  });
});
