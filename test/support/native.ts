// Whether native/arena.node can be built on this machine (native/build.mjs builds it where it can): the
// tests that need it skip, saying why, only where it cannot; where it can, a missing addon fails them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/lib/peer-process.js';

export const ARENA_ADDON = join(REPO_ROOT, 'native', 'arena.node');

/** Why the addon cannot be built here, or undefined when it can (Linux, glibc, a C compiler). */
export function whyNoArenaAddon(): string | undefined {
  const { header } = process.report.getReport() as { header: { glibcVersionRuntime?: string } };
  if (process.platform !== 'linux' || !header.glibcVersionRuntime) return 'not Linux with glibc';
  const [compiler] = (process.env.CC || 'cc').trim().split(/\s+/);
  if (spawnSync(compiler!, ['--version'], { stdio: 'ignore' }).status !== 0) return `no C compiler (${compiler})`;
  return undefined;
}

/** For skipIf: true (and a warning saying why) where the addon cannot be built. */
export function cannotBuildArenaAddon(): boolean {
  const why = whyNoArenaAddon();
  if (why !== undefined) console.warn(`skipping the tests of native/arena.node: ${why}`);
  return why !== undefined;
}
