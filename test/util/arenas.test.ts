// native/arena.node (built by `npm install` where there is a C compiler and glibc) and how peer.js uses it:
// the limit is checked in fresh processes, whose threads allocate side by side, by the arenas glibc made.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startPeerProcess } from '../../scripts/lib/peer-process.js';
import { describeArenaLimit, limitArenas, loadArenaAddon, PEER_ARENA_MAX } from '../../src/util/arenas.js';

const exec = promisify(execFile);
const ADDON = join(REPO_ROOT, 'native', 'arena.node');
const built = existsSync(ADDON);
if (!built) console.warn(`skipping the arena tests: ${ADDON} was not built (npm install builds it where there is a C compiler and glibc)`);

/** In a fresh process: the limit set or not, then 4 threads allocating at once; prints the arenas glibc made. */
async function arenasAfterThreads(limit: number | undefined): Promise<number> {
  const script = `
    const { Worker } = require('node:worker_threads');
    const addon = require(${JSON.stringify(ADDON)});
    ${limit === undefined ? '' : `if (addon.setArenaMax(${limit}) !== 1) throw new Error('refused');`}
    // Below glibc's mmap threshold (128 KB), so they come from the thread's arena; kept alive together.
    const body = "const kept = []; for (let i = 0; i < 200; i++) kept.push(Buffer.allocUnsafeSlow(32 * 1024).fill(i)); require('node:worker_threads').parentPort.postMessage(kept.length); setTimeout(() => {}, 300);";
    const workers = Array.from({ length: 4 }, () => new Worker(body, { eval: true }));
    Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve)))).then(() => {
      console.log(addon.arenaCount());
      for (const w of workers) void w.terminate();
    });
  `;
  const { MALLOC_ARENA_MAX: _, ...env } = process.env;
  const { stdout } = await exec(process.execPath, ['-e', script], { env });
  return Number(stdout.trim());
}

describe.skipIf(!built)('native/arena.node', () => {
  it('bounds the arenas of threads that allocate after the limit is set', async () => {
    const unlimited = await arenasAfterThreads(undefined);
    const limited = await arenasAfterThreads(PEER_ARENA_MAX);
    // Without the limit the four threads take arenas of their own (glibc allows eight per core).
    expect(unlimited).toBeGreaterThanOrEqual(5);
    expect(limited).toBeGreaterThanOrEqual(1);
    expect(limited).toBeLessThanOrEqual(PEER_ARENA_MAX);
  });

  it('refuses a limit below one', () => {
    const addon = loadArenaAddon(ADDON);
    if (typeof addon === 'string') throw new Error(addon);
    expect(addon.setArenaMax(0)).toBe(0);
    expect(addon.arenaCount()).toBeGreaterThanOrEqual(1);
  });
});

describe('limitArenas', () => {
  it('leaves MALLOC_ARENA_MAX as the environment set it, without loading the addon', () => {
    const limit = limitArenas(join(REPO_ROOT, 'native', 'absent.node'), 2, { MALLOC_ARENA_MAX: '4' });
    expect(limit).toEqual({ outcome: 'environment', max: '4' });
    expect(describeArenaLimit(limit)).toBe('malloc arenas: MALLOC_ARENA_MAX=4');
  });

  it('says why when there is no addon', () => {
    const limit = limitArenas(join(REPO_ROOT, 'native', 'absent.node'), 2, {});
    expect(limit).toEqual({ outcome: 'unavailable', why: 'native/arena.node was not built' });
    expect(describeArenaLimit(limit)).toBe("malloc arenas: glibc's default (native/arena.node was not built)");
  });

  it('says why when the file is not an addon', () => {
    const limit = limitArenas(join(REPO_ROOT, 'native', 'arena.c'), 2, {});
    expect(limit.outcome).toBe('unavailable');
    expect(describeArenaLimit(limit)).toMatch(/^malloc arenas: glibc's default \(native\/arena.node did not load: /);
  });
});

describe.skipIf(!built)('node peer.js', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpdt-arenas-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('limits its arenas as it starts, unless MALLOC_ARENA_MAX says otherwise', async () => {
    for (const [env, line] of [
      [{ MALLOC_ARENA_MAX: '' }, `malloc arenas: at most ${PEER_ARENA_MAX}`],
      [{ MALLOC_ARENA_MAX: '3' }, 'malloc arenas: MALLOC_ARENA_MAX=3'],
    ] as const) {
      const peer = await startPeerProcess({ dataDir: join(dir, env.MALLOC_ARENA_MAX || 'limited'), env: { ...env, MCP_TRACE_ARENAS: '1' } });
      try {
        expect(peer.stderr().split('\n')).toContain(line);
      } finally {
        await peer.kill();
      }
    }
  });

  it('`run` keeps glibc default arenas', async () => {
    const { stderr } = await exec(process.execPath, [join(REPO_ROOT, 'peer.js'), 'run', join(REPO_ROOT, 'native', 'absent.yaml')], {
      env: { ...process.env, MCP_TRACE_ARENAS: '1', MCP_DISCOVERY_MDNS: 'false' },
    }).catch((error: { stderr: string }) => error);
    expect(stderr).not.toContain('malloc arenas');
  });
});
