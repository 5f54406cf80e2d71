// glibc's malloc arenas of a long-lived peer, limited from inside the process by native/arena.node
// (native/arena.c, built at `npm install`). glibc gives each thread that allocates an arena of its own, up
// to eight per core, and keeps there what the thread freed. An idle peer's main thread allocates in the main
// arena; V8's four helper threads (its compilers, markers and sweepers) each take one as they first run,
// after the peer has started, and over a long rest those four grew from about 2 MB each to 3-3.5 MB: in a
// 10-peer cluster at rest every peer's RSS touched 100-102 MB within 45 minutes. With at most two arenas
// the helpers share one and the peers held 92.5-95.3 MB at most over 20 minutes, against 98.6-100.0 MB for
// the peers beside them without the limit (docs/performance.md, 6 December). The Docker image sets
// MALLOC_ARENA_MAX=2, which glibc reads as the process starts; a peer launched by other means sets the same
// limit itself, before its threads have taken theirs.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What native/arena.node exports (see native/arena.c). */
export interface ArenaAddon {
  /** glibc's M_ARENA_MAX: 1 when set, 0 when refused or not glibc. */
  setArenaMax(max: number): number;
  /** The arenas glibc has made in this process, the main one included; -1 when it cannot tell. */
  arenaCount(): number;
}

/** How many arenas a peer allows itself: its main thread's, and one that every other thread shares. */
export const PEER_ARENA_MAX = 2;

export type ArenaLimit =
  | { outcome: 'limited'; max: number }
  /** MALLOC_ARENA_MAX is in the environment: glibc took it at the start, and it is left as the user set it. */
  | { outcome: 'environment'; max: string }
  /** No addon (not built: no C compiler, or not Linux with glibc), or glibc refused the setting. */
  | { outcome: 'unavailable'; why: string };

/** Loads the addon at `file` (a path or file URL), or returns why not. Never throws. */
export function loadArenaAddon(file: string | URL): ArenaAddon | string {
  if (!existsSync(file)) return 'native/arena.node was not built';
  try {
    return createRequire(import.meta.url)(typeof file === 'string' ? file : fileURLToPath(file)) as ArenaAddon;
  } catch (error) {
    return `native/arena.node did not load: ${(error as Error).message}`;
  }
}

/**
 * Limits this process's malloc arenas to `max`, unless MALLOC_ARENA_MAX already says how many. Call it
 * first thing: a thread keeps the arena it has taken. Never throws.
 */
export function limitArenas(file: string | URL, max = PEER_ARENA_MAX, env: NodeJS.ProcessEnv = process.env): ArenaLimit {
  const configured = env.MALLOC_ARENA_MAX;
  if (configured !== undefined && configured !== '') return { outcome: 'environment', max: configured };
  const addon = loadArenaAddon(file);
  if (typeof addon === 'string') return { outcome: 'unavailable', why: addon };
  return addon.setArenaMax(max) === 1 ? { outcome: 'limited', max } : { outcome: 'unavailable', why: 'glibc refused M_ARENA_MAX' };
}

/** One line for MCP_TRACE_ARENAS=1 (what the tests look for). */
export function describeArenaLimit(limit: ArenaLimit): string {
  switch (limit.outcome) {
    case 'limited':
      return `malloc arenas: at most ${limit.max}`;
    case 'environment':
      return `malloc arenas: MALLOC_ARENA_MAX=${limit.max}`;
    case 'unavailable':
      return `malloc arenas: glibc's default (${limit.why})`;
  }
}
