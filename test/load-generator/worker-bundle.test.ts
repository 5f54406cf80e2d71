// A load worker loads the bundle's entry with V8's code cache whenever the build has a bundle, even when the
// thread that starts it runs the modules tsc wrote (as the benchmark children and the tests do), and the
// module beside worker-pool with MCP_NO_BUNDLE=1, as peer.js does for its own thread.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/peer-process.js';

const dist = (p: string) => join(REPO_ROOT, 'dist', p);
// Boots one worker from the tsc-written modules and waits until it is ready, then ends it. (A file, not
// -e: a worker inherits its parent's flags, and --input-type is refused for a file.)
const script = `
  await import(${JSON.stringify(dist('src/polyfill.js'))});
  const pool = await import(${JSON.stringify(dist('actors/load-generator/worker-pool.js'))});
  await pool.prepareLoadWorkers(1);
  console.log('ready ' + pool.loadWorkersAlive());
  await pool.closeLoadWorkers();
`;

function bootWorker(file: string, env: Record<string, string>) {
  const out = spawnSync(process.execPath, [file], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('the load worker entry', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is the bundle with its code cache when the build has one, the module with MCP_NO_BUNDLE=1', () => {
    dir = mkdtempSync(join(tmpdir(), 'mcpdt-worker-entry-'));
    const file = join(dir, 'boot.mjs');
    writeFileSync(file, script);
    const cacheDir = join(dir, 'cache');
    // Whatever the shell running the tests set: the bundle allowed, the cache on, in this folder, traced.
    const env = { MCP_NO_BUNDLE: '', MCP_NO_COMPILE_CACHE: '', MCP_TRACE_COMPILE_CACHE: '1', MCP_COMPILE_CACHE_DIR: cacheDir };

    const bundled = bootWorker(file, env);
    expect(bundled.status, bundled.stderr).toBe(0);
    expect(bundled.stdout).toContain('ready 1');
    // The worker's bundle was loaded through the cache loader: nothing cached yet in a fresh folder.
    expect(bundled.stderr).toMatch(/compile cache: miss .*worker-worker-/);

    rmSync(cacheDir, { recursive: true, force: true });
    const unbundled = bootWorker(file, { ...env, MCP_NO_BUNDLE: '1' });
    expect(unbundled.status, unbundled.stderr).toBe(0);
    expect(unbundled.stdout).toContain('ready 1');
    expect(unbundled.stderr).not.toContain('compile cache:');
    expect(readdirSync(dir)).toEqual(['boot.mjs']);
  });
});
