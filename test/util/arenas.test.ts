// native/arena.node (built by `npm install` where there is a C compiler and glibc) and how peer.js uses it:
// the limit is checked in fresh processes, whose threads allocate side by side, by the arenas glibc made.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startPeerProcess } from '../../scripts/lib/peer-process.js';
import { arenaSettingFromEnvironment, describeArenaLimit, limitArenas, loadArenaAddon, PEER_ARENA_MAX } from '../../src/util/arenas.js';
import { ARENA_ADDON as ADDON, cannotBuildArenaAddon } from '../support/native.js';

const exec = promisify(execFile);
// Where it can be built, `npm install` and `npm run build` have built it: a missing addon fails these.
const cannot = cannotBuildArenaAddon();

/** The environment of a child that leaves glibc's arenas to the code under test. */
function withoutArenaSettings(): NodeJS.ProcessEnv {
  const { MALLOC_ARENA_MAX: _max, GLIBC_TUNABLES: _tunables, ...env } = process.env;
  return env;
}

/**
 * In a fresh process: the limit set or not, then 4 threads allocating at once and alive until counted. The
 * arenas glibc had made when the limit was set (Node's start-up makes some: 2 on Node 20, 4 on Node 24)
 * and after the threads.
 */
async function arenasAfterThreads(limit: number | undefined): Promise<{ before: number; after: number }> {
  const script = `
    const { Worker } = require('node:worker_threads');
    const addon = require(${JSON.stringify(ADDON)});
    ${limit === undefined ? '' : `if (addon.setArenaMax(${limit}) !== 1) throw new Error('refused');`}
    const before = addon.arenaCount();
    // Below glibc's mmap threshold (128 KB), so they come from the thread's arena; kept alive together.
    const body = "const kept = []; for (let i = 0; i < 200; i++) kept.push(Buffer.allocUnsafeSlow(32 * 1024).fill(i)); require('node:worker_threads').parentPort.postMessage(kept.length); setInterval(() => {}, 1000);";
    const workers = Array.from({ length: 4 }, () => new Worker(body, { eval: true }));
    Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve)))).then(() => {
      console.log(JSON.stringify({ before, after: addon.arenaCount() }));
      for (const w of workers) void w.terminate();
    });
  `;
  const { stdout } = await exec(process.execPath, ['-e', script], { env: withoutArenaSettings() });
  return JSON.parse(stdout) as { before: number; after: number };
}

/** The arenas an ES module finds made at its first statement on this Node: the earliest peer.js can set the limit. */
async function arenasAtFirstStatement(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'mcpdt-arena-'));
  try {
    const file = join(dir, 'first.mjs');
    await writeFile(file, `import { createRequire } from 'node:module';\nconsole.log(createRequire(import.meta.url)(${JSON.stringify(ADDON)}).arenaCount());\n`);
    const { stdout } = await exec(process.execPath, [file], { env: withoutArenaSettings() });
    return Number(stdout.trim());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe.skipIf(cannot)('native/arena.node', () => {
  it('bounds the arenas of threads that allocate after the limit is set', async () => {
    const unlimited = await arenasAfterThreads(undefined);
    const limited = await arenasAfterThreads(PEER_ARENA_MAX);
    // Without the limit the four threads take arenas of their own (glibc allows eight per core).
    expect(unlimited.after).toBeGreaterThanOrEqual(unlimited.before + 3);
    // With it, none is made past the limit; those made before it stay.
    expect(limited.before).toBeGreaterThanOrEqual(1);
    expect(limited.after).toBeLessThanOrEqual(Math.max(PEER_ARENA_MAX, limited.before));
  });

  it('refuses a limit below one', () => {
    const addon = loadArenaAddon(ADDON);
    if (typeof addon === 'string') throw new Error(addon);
    expect(addon.setArenaMax(0)).toBe(0);
    expect(addon.arenaCount()).toBeGreaterThanOrEqual(1);
  });
});

describe('limitArenas', () => {
  it('leaves the arenas as the environment set them, without loading the addon', () => {
    const limit = limitArenas(join(REPO_ROOT, 'native', 'absent.node'), 2, { MALLOC_ARENA_MAX: '4' });
    expect(limit).toEqual({ outcome: 'environment', setting: 'MALLOC_ARENA_MAX=4' });
    expect(describeArenaLimit(limit)).toBe('malloc arenas: MALLOC_ARENA_MAX=4');
    for (const [tunables, setting] of [
      ['glibc.malloc.arena_max=3', 'glibc.malloc.arena_max=3'],
      ['glibc.malloc.trim_threshold=0:glibc.malloc.arena_max=1', 'glibc.malloc.arena_max=1'],
      ['glibc.malloc.trim_threshold=0', undefined],
    ] as const) expect(arenaSettingFromEnvironment({ GLIBC_TUNABLES: tunables }), tunables).toBe(setting);
    expect(arenaSettingFromEnvironment({ MALLOC_ARENA_MAX: '' })).toBeUndefined();
  });

  it('says why when there is no addon', () => {
    const limit = limitArenas(join(REPO_ROOT, 'native', 'absent.node'), 2, {});
    expect(limit).toEqual({ outcome: 'unavailable', why: 'native/arena.node was not built' });
    expect(describeArenaLimit(limit)).toBe("malloc arenas: glibc's default (native/arena.node was not built)");
  });

  it('says why when the file is not an addon, or not this one', async () => {
    const limit = limitArenas(join(REPO_ROOT, 'native', 'arena.c'), 2, {});
    expect(limit.outcome).toBe('unavailable');
    expect(describeArenaLimit(limit)).toMatch(/^malloc arenas: glibc's default \(native\/arena.node did not load: /);
    // A module without the addon's functions (an older or foreign build) is refused, not called.
    const dir = await mkdtemp(join(tmpdir(), 'mcpdt-arena-'));
    try {
      await writeFile(join(dir, 'other.cjs'), 'module.exports = { setArenaMax: 1 };');
      expect(limitArenas(join(dir, 'other.cjs'), 2, {})).toEqual({ outcome: 'unavailable', why: 'native/arena.node is not this addon' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(cannot)('node peer.js', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpdt-arenas-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('limits its arenas before its threads have taken more, unless MALLOC_ARENA_MAX says otherwise', async () => {
    const floor = await arenasAtFirstStatement();
    const limited = await startPeerProcess({ dataDir: join(dir, 'limited'), env: { MALLOC_ARENA_MAX: '', GLIBC_TUNABLES: '', MCP_TRACE_ARENAS: '1' } });
    try {
      const [, max, made] = /^malloc arenas: at most (\d+) \((-?\d+) made before\)$/m.exec(limited.stderr()) ?? [];
      expect(Number(max)).toBe(PEER_ARENA_MAX);
      // glibc makes no arena past the limit but keeps those made before it, so peer.js sets it before it loads
      // anything: no more made by then than an ES module finds at its first statement (after its imports, 4
      // on Node 20, where the floor is 2).
      expect(Number(made)).toBeGreaterThanOrEqual(1);
      expect(Number(made)).toBeLessThanOrEqual(Math.max(PEER_ARENA_MAX, floor));
    } finally {
      await limited.kill();
    }
    const chosen = await startPeerProcess({ dataDir: join(dir, 'chosen'), env: { MALLOC_ARENA_MAX: '3', MCP_TRACE_ARENAS: '1' } });
    try {
      expect(chosen.stderr().split('\n')).toContain('malloc arenas: MALLOC_ARENA_MAX=3');
    } finally {
      await chosen.kill();
    }
  });

  it('`run` keeps glibc default arenas', async () => {
    const { stderr } = await exec(process.execPath, [join(REPO_ROOT, 'peer.js'), 'run', join(REPO_ROOT, 'native', 'absent.yaml')], {
      env: { ...process.env, MCP_TRACE_ARENAS: '1', MCP_DISCOVERY_MDNS: 'false' },
    }).catch((error: { stderr: string }) => error);
    expect(stderr).not.toContain('malloc arenas');
  });
});
