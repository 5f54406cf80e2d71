// `npm pack` gives a package that installs from its tarball into an empty folder and runs there: the
// compiled dist/ ships in it (built by `prepare` at pack time), and nothing of the dev dependencies is
// needed. Installs from the npm registry through the local npm cache; the target is on loopback.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startPeerProcess } from '../../scripts/lib/peer-process.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { cannotBuildArenaAddon, whyNoArenaAddon } from '../support/native.js';

const exec = promisify(execFile);
let dir: string;
let app: string;
let target: CountingTarget;
let packedFiles: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-pack-'));
  app = join(dir, 'app');
  target = await startCountingTarget();
  // `prepare` builds dist/ during the pack, as it does for `npm publish`.
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', dir], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  const { filename } = packed!;
  packedFiles = packed!.files.map((file) => file.path);
  await exec('mkdir', ['-p', app]);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await exec('npm', ['install', join(dir, filename), '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, maxBuffer: 64 * 1024 * 1024 });
});
afterAll(async () => {
  await target?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships the compiled code, declarations and the schema, and installs no dev dependency', async () => {
    const pkg = join(app, 'node_modules', 'mcp-distributed-testing');
    expect(existsSync(join(pkg, 'dist', 'src', 'index.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'src', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'schema', 'plan.schema.json'))).toBe(true);
    expect(existsSync(join(pkg, 'web', 'app.js'))).toBe(true);
    // The bundle peer.js loads (else it falls back to dist/src, slower to start), and the load worker's.
    for (const file of ['cli.cjs', 'worker.cjs', 'worker-entry.js']) expect(existsSync(join(pkg, 'dist', 'bundle', file))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    // The arena addon ships as its source, compiled by the install where it can be, never as a binary built elsewhere.
    expect(packedFiles).toEqual(expect.arrayContaining(['native/arena.c', 'native/build.mjs']));
    expect(packedFiles.filter((path) => path.endsWith('.node'))).toEqual([]);
    expect(existsSync(join(pkg, 'native', 'arena.node'))).toBe(whyNoArenaAddon() === undefined);
    const installed = await readdir(join(app, 'node_modules'));
    const dev = Object.keys((JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies);
    expect(installed.filter((name) => dev.includes(name))).toEqual([]);
  });

  it('`npx mcp-peer run plan.yaml` runs a plan against a counting target and exits 0', async () => {
    await writeFile(
      join(app, 'plan.yaml'),
      `name: packed\ntasks:\n  - type: load_test\n    parameters:\n      targets: [{ url: "${target.url}/packed" }]\n      duration: 1s\n      base_rps: 20\n      thresholds: ["error_rate < 0.01"]\n`,
    );
    const cache = join(dir, 'compile-cache');
    const env = { ...process.env, MCP_DISCOVERY_MDNS: 'false', MCP_COMPILE_CACHE_DIR: cache, MCP_TRACE_COMPILE_CACHE: '1' };
    const { stdout, stderr } = await exec('npx', ['--no-install', 'mcp-peer', 'run', 'plan.yaml', '--out', 'report.json', '--html', 'report.html'], { cwd: app, env });
    expect(stdout).toContain('PASS  error_rate < 0.01');
    // Served by the bundle, whose code cache it wrote.
    expect(stderr).toContain('compile cache: miss');
    expect(stderr).toContain('compile cache: saved');
    const report = JSON.parse(await readFile(join(app, 'report.json'), 'utf8')) as { summary: { total_requests: number } };
    expect(report.summary.total_requests).toBe(20);
    expect(target.countsByPath()['/packed']).toBe(20);
    // The HTML report inlines the page's scripts from web/, which must ship in the package.
    const html = await readFile(join(app, 'report.html'), 'utf8');
    expect(html).toContain('window.McpDom');
    expect(html).toContain('id="report-data"');
  });

  it.skipIf(cannotBuildArenaAddon())('an installed peer limits its malloc arenas with the addon its install compiled', async () => {
    const peer = await startPeerProcess({
      peerJs: join(app, 'node_modules', 'mcp-distributed-testing', 'peer.js'),
      dataDir: join(dir, 'peer-data'),
      env: { MCP_TRACE_ARENAS: '1', MALLOC_ARENA_MAX: '', GLIBC_TUNABLES: '', MCP_COMPILE_CACHE_DIR: join(dir, 'compile-cache') },
    });
    try {
      expect(peer.stderr()).toMatch(/^malloc arenas: at most 2 \(\d+ made before\)$/m);
    } finally {
      await peer.kill();
    }
  });

  it('imports as a library by its name', async () => {
    const { stdout } = await exec(
      process.execPath,
      ['--input-type=module', '-e', "import { validatePlan, ClusterClient, startPeer, runPlan } from 'mcp-distributed-testing'; console.log(typeof validatePlan, typeof ClusterClient, typeof startPeer, typeof runPlan)"],
      { cwd: app },
    );
    expect(stdout.trim()).toBe('function function function function');
  });
});
