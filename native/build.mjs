// Builds native/arena.node from arena.c (see there), at `npm install` (the package's install script) and
// in `npm run build`. Only on Linux with glibc, and never fails the install: without a C compiler a peer
// runs with glibc's default arenas, and this says so. Plain JavaScript: it runs before the TypeScript is built.
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('./arena.c', import.meta.url));
const target = fileURLToPath(new URL('./arena.node', import.meta.url));
const skipped = (why) =>
  console.log(`native/arena.node not built (${why}): a peer keeps glibc's default malloc arenas; MALLOC_ARENA_MAX=2 in its environment limits them`);

process.report.excludeNetwork = true;
if (process.platform !== 'linux' || !process.report.getReport().header.glibcVersionRuntime) {
  // Other systems' allocators have no such arenas to limit.
} else if (existsSync(target) && statSync(target).mtimeMs >= statSync(source).mtimeMs) {
  // Up to date.
} else {
  // CC may carry arguments of its own ("ccache gcc").
  const [compiler, ...flags] = (process.env.CC || 'cc').trim().split(/\s+/);
  const partial = `${target}.${process.pid}`;
  // Node-API's symbols are resolved from the node binary when the addon is loaded.
  const built = spawnSync(compiler, [...flags, '-O2', '-Wall', '-shared', '-fPIC', '-o', partial, source], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.status === 0) renameSync(partial, target);
  else {
    // Never leave an older build standing for a source that no longer compiles.
    rmSync(partial, { force: true });
    rmSync(target, { force: true });
    skipped(built.error?.code === 'ENOENT' ? `no C compiler: ${compiler}` : `${compiler} failed`);
  }
}
