// `node peer.js run` with the bundle's code cache, end to end: the first run writes the cache, the next
// ones are served from it, and a damaged cache is ignored and replaced; every run sends and reports the
// same requests and exits with the same code as without a cache. And a peer (`node peer.js`), which saves
// its cache while it runs: its next launch is served from it (V8 refuses a cache made under other flags).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startPeerProcess, waitFor } from '../../scripts/lib/peer-process.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { runPeer, type PeerRun } from '../support/run-peer.js';

let dir: string;
let cacheDir: string;
let target: CountingTarget;

beforeAll(async () => {
  expect(existsSync(join(REPO_ROOT, 'dist', 'bundle', 'cli.cjs')), 'run `npm run build` first').toBe(true);
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-compile-cache-'));
  cacheDir = join(dir, 'cache');
  target = await startCountingTarget();
});
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(plan: string, env: Record<string, string> = {}): Promise<PeerRun & { requests: number }> {
  const before = target.count();
  const result = await runPeer(['run', plan], { env: { MCP_COMPILE_CACHE_DIR: cacheDir, MCP_TRACE_COMPILE_CACHE: '1', ...env } });
  return { ...result, requests: target.count() - before };
}

const cacheLines = (r: PeerRun) => r.stderr.split('\n').filter((l) => l.startsWith('compile cache: ')).map((l) => l.split(' ').slice(2, 3)[0]);

describe('node peer.js run with the code cache', () => {
  it('writes the cache on the first run, uses it after, and replaces a damaged one, with the same runs throughout', async () => {
    const plan = join(dir, 'plan.yaml');
    await writeFile(plan, `name: cached\ntasks:\n  - type: load_test\n    parameters:\n      targets: [{ url: "${target.url}/c" }]\n      duration: 1\n      base_rps: 40\n`);

    const first = await run(plan);
    expect(first.code, first.stderr).toBe(0);
    expect(cacheLines(first)).toEqual(['miss', 'saved']);
    const [file] = readdirSync(cacheDir).filter((f) => f.startsWith('run-cli-'));
    expect(file).toBeDefined();

    const second = await run(plan);
    expect(second.code, second.stderr).toBe(0);
    expect(cacheLines(second)).toEqual(['hit']);

    const data = readFileSync(join(cacheDir, file!));
    data.fill(0x5a, data.length >> 1, (data.length >> 1) + 64);
    writeFileSync(join(cacheDir, file!), data);
    const damaged = await run(plan);
    expect(damaged.code, damaged.stderr).toBe(0);
    expect(cacheLines(damaged)).toEqual(['corrupt', 'saved']);

    const off = await run(plan, { MCP_NO_COMPILE_CACHE: '1' });
    expect(off.code, off.stderr).toBe(0);
    expect(cacheLines(off)).toEqual(['off']);

    const again = await run(plan);
    expect(cacheLines(again)).toEqual(['hit']);
    for (const r of [first, second, damaged, off, again]) {
      expect(r.requests).toBe(40);
      expect(r.stdout).toContain('requests                 40  (40 req/s)');
    }
  });

  it('exits 99 on a failed threshold and 2 on a bad plan from a cached launch, and caches nothing for the latter', async () => {
    const failing = join(dir, 'failing.yaml');
    await writeFile(failing, `name: gate\ntasks:\n  - type: load_test\n    parameters:\n      targets: [{ url: "${target.url}/g", expected_status: [201] }]\n      duration: 1\n      base_rps: 20\n      thresholds: ["error_rate < 0.01"]\n`);
    const gate = await run(failing);
    expect(gate.code, gate.stderr).toBe(99);
    expect(gate.stdout).toContain('FAIL  error_rate < 0.01');
    expect(cacheLines(gate)[0]).toBe('hit');

    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'name: bad\ntasks: []\nnope: 1\n');
    const fresh = { MCP_COMPILE_CACHE_DIR: join(dir, 'fresh-cache') };
    const invalid = await run(bad, fresh);
    expect(invalid.code).toBe(2);
    expect(cacheLines(invalid)).toEqual(['miss']);
    expect(readdirSync(fresh.MCP_COMPILE_CACHE_DIR)).toEqual([]);
  });

  it('a peer saves its cache while it runs, and its next launch is served from it', async () => {
    const env = { MCP_COMPILE_CACHE_DIR: join(dir, 'peer-cache'), MCP_TRACE_COMPILE_CACHE: '1' };
    const launch = async (name: string) => {
      const peer = await startPeerProcess({ dataDir: join(dir, name), env });
      try {
        // Saved 2 s after start-up when it was not served from the cache.
        await waitFor(async () => (/compile cache: (saved|hit)/.test(peer.stderr()) ? true : undefined), 15_000, 'the code cache', 100);
        return peer.stderr().split('\n').filter((l) => l.startsWith('compile cache: ')).map((l) => l.split(' ')[2]);
      } finally {
        await peer.kill('SIGKILL');
      }
    };
    expect(await launch('peer-1')).toEqual(['miss', 'saved']);
    expect(await launch('peer-2')).toEqual(['hit']);
  }, 40_000);
});
