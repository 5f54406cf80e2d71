// Which command a launch of peer.js runs, read from its arguments before anything else is loaded: it
// names the code cache (each command caches the functions it ran), picks the V8 flags and says whether
// the process lives until it is stopped. Kept apart so that peer.js can read it first (src/util/arenas.ts).

/** `run`, `mcp`, `keygen`, `info` (`--help`, `--version`) or `start` (a peer). */
export function cacheNameFor(argv: readonly string[]): string {
  for (const command of ['run', 'mcp', 'keygen']) if (argv.includes(command)) return command;
  return argv.includes('--help') || argv.includes('--version') ? 'info' : 'start';
}
