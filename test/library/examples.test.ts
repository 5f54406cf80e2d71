// Every program in examples/ runs against a counting target on loopback, importing the package by its
// name (Node resolves the package's own `exports`), exactly as a user's program would.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/peer-process.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';

const run = promisify(execFile);
let target: CountingTarget;
let dir: string;

beforeAll(async () => {
  target = await startCountingTarget();
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-examples-'));
});
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

async function runExample(file: string) {
  target.reset();
  const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'examples', file), `${target.url}/example`], {
    cwd: dir,
    env: { ...process.env, MCP_DATA_DIR: join(dir, file) },
    timeout: 60_000,
  });
  return stdout;
}

describe('examples/', () => {
  it('holds exactly the programs tested here', async () => {
    const programs = (await readdir(join(REPO_ROOT, 'examples'))).filter((f) => f.endsWith('.mjs')).sort();
    expect(programs).toEqual(['embedded-peer.mjs', 'run-plan.mjs']);
  });

  it('run-plan.mjs: a refused plan names its field, then 2 s at 50/s reach the target in this process', async () => {
    const out = await runExample('run-plan.mjs');
    expect(out).toContain('refused: tasks[0].parameters.targets[0].url');
    const requests = Number(/status=completed requests=(\d+)/.exec(out)?.[1]);
    expect(requests).toBe(100);
    expect(target.countsByPath()['/example']).toBe(100);
    expect(out).toContain('passed=true');
  });

  it('embedded-peer.mjs: a peer started in-process lists itself, runs an execution to completion, cancels another, allocates resources, runs a health check given in code', async () => {
    const out = await runExample('embedded-peer.mjs');
    expect(out).toMatch(/members: \S+ http_load/);
    const requests = Number(/execution \S+ completed requests=(\d+)/.exec(out)?.[1]);
    expect(requests).toBe(80);
    expect(out).toMatch(/cancel \S+: cancelled/);
    expect(out).toMatch(/allocated \S+; in force: 1/);
    expect(out).toContain('health check target ok=true');
    // The cancelled 60 s execution sent at most its first seconds.
    expect(target.countsByPath()['/example']).toBeGreaterThanOrEqual(80);
    expect(target.countsByPath()['/example']).toBeLessThan(80 + 40 * 5 + 100);
  }, 60_000);
});
