// The V8 flags each command runs with, set by peer.js before it compiles the bundle (V8 refuses a code
// cache made under other flags), and by the benchmark children that model a command (scripts/bench/
// peer-flags.ts for a peer, run-child.ts for `run`).
// Set at run time, they change only what V8 reads as it goes: what it fixed when it created this thread's
// heap stays as it was.
import v8 from 'node:v8';
import { RUNTIME_V8_FLAGS_ENV } from '../util/launch-flags.js';

/** `run`, `mcp`, `keygen`, `info` or `start` (see cacheNameFor in launch-command.ts). */
export function v8FlagsFor(command: string): string[] {
  const flags = [
    // undici parses responses with llhttp, compiled to WebAssembly. V8 recompiles its one large function
    // with TurboFan once it has parsed about a hundred responses: 100-170 ms of CPU on a background
    // thread, more than a short run spends on everything else. With this budget it happens after one to
    // two thousand responses per thread instead, which a long or fast run reaches within moments and a
    // short one never pays.
    '--wasm-tiering-budget=2000000000',
  ];
  // A peer's own thread keeps V8's young generation at its first size (1 MB semi-spaces): left to grow,
  // it reached 16 MB semi-spaces, 32 MB of an idle peer's resident memory, for a control plane whose
  // objects die young. Booting a load worker thread (its isolate) puts V8's default growth back, for the run.
  if (command === 'start') flags.push('--semi-space-growth-factor=1');
  // `run` sends on this thread unless a task needs more than one thread's worth, and lives as long as its
  // plan. V8 creates its memory reducer with the thread's heap, before any of this runs, so
  // `--no-memory-reducer` here would not remove it (`node --no-memory-reducer peer.js run` has none at
  // all); what can be set are the flags it reads as it goes. It waits half a minute (below), and then
  // makes one reducing collection, not up to three of 12-19 ms each. Load workers go without it
  // entirely (actors/load-generator/worker-pool.ts); a peer's own thread keeps it, to shrink when idle.
  if (command === 'run') flags.push(singleReducingCollection());
  // And `run` marks without increments: the reducer collects only by incremental marking, so it never
  // starts, and `run` collects its heap once before the start (its warm-up, src/util/heap.ts), after which
  // its major collections come only when the heap reaches its limit, as one pause (none in a 60 s run at
  // 5,000 req/s). With incremental marking V8 began its first one 2 s into a run at 5,000 req/s (6-7 s at
  // 1,000), its markers taking the sender's core in 4 ms turns, and the reducer answered any full
  // collection with another 8 s later. Paired on one core, 7 runs: the sender at most 1.3 ms late against
  // 0.7-13.8 ms, the same CPU (docs/performance.md, 5 December).
  if (command === 'run') flags.push('--no-incremental-marking');
  // V8's memory reducer shrinks a heap gone quiet: armed as the heap first grows (as every process's does
  // while it boots) or by a full collection, it waits, and then, if the thread allocates little, makes up to
  // three compacting collections. A thread that sends at a steady low rate allocates little too, and V8's wait
  // (8 s, made for a browser's background tabs) put those collections in the middle of runs on a peer's own
  // thread and in `run`: 5-10 ms pauses and their concurrent marking, about 50 ms of CPU in a 10 s run at
  // 1,000 req/s (a sixth of what the engine costs above the floor of even pacing, scripts/bench/pacing.ts),
  // the sending loop held meanwhile and the arrivals due then sent together. V8 reads this wait when it arms
  // the reducer: V8 11 (Node 20) each time; V8 12 and later (Node 22, 24) as the heap first grows, and 8 s
  // after a full collection whatever it says. A full collection while the reducer waits did not bring its
  // wake-up nearer in a bare process (test/cli/v8-flags.test.ts), but in `run` one made 250 ms after launch
  // did: the reducer collected 8 s after it (5 December). An idle peer still shrinks, half a minute after. Set
  // for the process's whole life: V8 refuses a code cache made under other flags, and a peer saves its cache
  // while it runs.
  if (command === 'start' || command === 'run') flags.push(`--gc-memory-reducer-start-delay-ms=${REDUCER_DELAY_MS}`);
  return flags;
}

/** How long V8's memory reducer waits once armed before it shrinks the heap, for a peer and for `run` (V8: 8 s). */
export const REDUCER_DELAY_MS = 30_000;

/** The flag that limits the memory reducer to one collection: V8 12 (Node 22) replaced Node 20's switch by a count. */
export function singleReducingCollection(v8MajorVersion = Number(process.versions.v8.split('.')[0])): string {
  return v8MajorVersion >= 12 ? '--memory-reducer-gc-count=1' : '--memory-reducer-single-gc';
}

// Notes the flags it set in the environment (RUNTIME_V8_FLAGS_ENV): V8 refuses a code cache made under other
// flags, so they are part of a cache's name (bundle-loader.ts). A worker thread starts with a copy of the
// environment, and V8's flags are the process's.
export function setV8FlagsFor(command: string): void {
  const flags = v8FlagsFor(command);
  for (const flag of flags) v8.setFlagsFromString(flag);
  process.env[RUNTIME_V8_FLAGS_ENV] = flags.join(' ');
}
