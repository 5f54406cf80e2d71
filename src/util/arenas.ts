// glibc's malloc arenas of a long-lived peer, limited from inside the process by native/arena.node
// (native/arena.c, built at `npm install`). glibc gives each thread that allocates an arena of its own, up
// to eight per core, and keeps there what the thread freed. An idle peer's main thread allocates in the main
// arena; V8's four helper threads (its compilers, markers and sweepers) each take one as they first run,
// after the peer has started, and over a long rest those four grew from about 2 MB each to 3-3.5 MB: in a
// 10-peer cluster at rest every peer's RSS touched 100-102 MB within 45 minutes. With at most two arenas
// the helpers share one, and no peer held more than 96.1 MB in 45 minutes (docs/performance.md, 5 and 6
// December). The Docker image sets
// MALLOC_ARENA_MAX=2, which glibc reads as the process starts; a peer launched by other means sets the same
// limit itself, before its threads have taken theirs. glibc keeps the arenas made before the limit: 2 when
// peer.js sets it on Node 20 and 22, 6 on Node 24 (made by Node's own start-up).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What native/arena.node exports (see native/arena.c). */
export interface ArenaAddon {
  /** glibc's M_ARENA_MAX: 1 when set, 0 when refused. */
  setArenaMax(max: number): number;
  /** The arenas glibc has made in this process, the main one included; -1 when it cannot tell. */
  arenaCount(): number;
}

/** How many arenas a peer allows itself: its main thread's, and one that every other thread shares. */
export const PEER_ARENA_MAX = 2;

export type ArenaLimit =
  /** `made`: the arenas glibc had made when the limit was set (-1 unknown); if it is at most `max`, no thread ever gets another. */
  | { outcome: 'limited'; max: number; made: number }
  /** MALLOC_ARENA_MAX (or glibc.malloc.arena_max in GLIBC_TUNABLES) is in the environment: glibc took it at launch, and it stands. */
  | { outcome: 'environment'; setting: string }
  /** No addon (not built: no C compiler, or not Linux with glibc), or glibc refused the setting. */
  | { outcome: 'unavailable'; why: string };

/** Loads the addon at `file` (a path or file URL), or returns why not. Never throws. */
export function loadArenaAddon(file: string | URL): ArenaAddon | string {
  if (!existsSync(file)) return 'native/arena.node was not built';
  try {
    const addon = createRequire(import.meta.url)(typeof file === 'string' ? file : fileURLToPath(file)) as Partial<ArenaAddon>;
    if (typeof addon.setArenaMax !== 'function' || typeof addon.arenaCount !== 'function') return 'native/arena.node is not this addon';
    return addon as ArenaAddon;
  } catch (error) {
    return `native/arena.node did not load: ${(error as Error).message}`;
  }
}

/** The arena setting the environment gives glibc at launch, if any. */
export function arenaSettingFromEnvironment(env: NodeJS.ProcessEnv): string | undefined {
  if (env.MALLOC_ARENA_MAX) return `MALLOC_ARENA_MAX=${env.MALLOC_ARENA_MAX}`;
  return /(?:^|:)glibc\.malloc\.arena_max=[^:]*/.exec(env.GLIBC_TUNABLES ?? '')?.[0].replace(/^:/, '');
}

/**
 * Limits this process's malloc arenas to `max`, unless the environment already says how many. Call it
 * before anything else is loaded: each garbage collection while a process loads its modules can wake
 * V8's helper threads, and a thread keeps the arena it has taken. Never throws.
 */
export function limitArenas(file: string | URL, max = PEER_ARENA_MAX, env: NodeJS.ProcessEnv = process.env): ArenaLimit {
  const setting = arenaSettingFromEnvironment(env);
  if (setting !== undefined) return { outcome: 'environment', setting };
  const addon = loadArenaAddon(file);
  if (typeof addon === 'string') return { outcome: 'unavailable', why: addon };
  try {
    if (addon.setArenaMax(max) !== 1) return { outcome: 'unavailable', why: 'glibc refused M_ARENA_MAX' };
    return { outcome: 'limited', max, made: addon.arenaCount() };
  } catch (error) {
    return { outcome: 'unavailable', why: `native/arena.node failed: ${(error as Error).message}` };
  }
}

/** One line for MCP_TRACE_ARENAS=1 (what the tests look for). */
export function describeArenaLimit(limit: ArenaLimit): string {
  switch (limit.outcome) {
    case 'limited':
      return `malloc arenas: at most ${limit.max} (${limit.made} made before)`;
    case 'environment':
      return `malloc arenas: ${limit.setting}`;
    case 'unavailable':
      return `malloc arenas: glibc's default (${limit.why})`;
  }
}
