// `node peer.js run PLAN` end to end: a real process, a real target that counts, the report and exit codes.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { runPeer, type PeerRun } from '../support/run-peer.js';

let dir: string;
let target: CountingTarget;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-run-'));
  target = await startCountingTarget();
});
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<PeerRun> {
  return runPeer(['run', ...args]);
}

async function planFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('node peer.js run', () => {
  it('runs a YAML plan, prints the summary, writes the report and CSV, and exits 0 when thresholds pass', async () => {
    target.reset();
    const file = await planFile(
      'pass.yaml',
      `name: smoke\ntasks:\n  - type: load_test\n    parameters:\n      targets: [{ url: "${target.url}/ok" }]\n      duration: 2\n      base_rps: 200\n      thresholds: ["p99 < 5s", "error_rate < 0.01", "rps >= 190"]\n`,
    );
    const out = join(dir, 'report.json');
    const csv = join(dir, 'series.csv');
    const result = await run([file, '--out', out, '--csv', csv]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('requests');
    expect(result.stdout).toContain('PASS  p99 < 5s');
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report).toMatchObject({ name: 'smoke', status: 'completed' });
    expect(report.summary.total_requests).toBe(target.count());
    expect(report.summary.total_requests).toBe(400);
    expect(Object.keys(report.summary.latency_ms)).toEqual(expect.arrayContaining(['min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p999', 'max']));
    expect(report.thresholds).toHaveLength(3);
    const lines = (await readFile(csv, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('t,requests,errors,dropped,rps,p50_ms,p99_ms');
    expect(lines.length).toBeGreaterThanOrEqual(3);
  });

  it('exits 99 when a threshold fails', async () => {
    const file = await planFile(
      'fail.json',
      JSON.stringify({ name: 'strict', tasks: [{ type: 'load_test', parameters: { targets: [{ url: `${target.url}/x`, expected_status: [201] }], duration: 1, base_rps: 50, thresholds: ['error_rate < 0.01'] } }] }),
    );
    const result = await run([file]);
    expect(result.code, result.stderr).toBe(99);
    expect(result.stdout).toContain('FAIL  error_rate < 0.01');
  });

  it('exits 2 and names every bad field of an invalid plan', async () => {
    const file = await planFile('bad.yaml', 'name: bad\ntasks:\n  - type: load_test\n    parameters:\n      targets: [{ url: "ftp://x" }, { method: NOPE }]\n      duration: -1\n');
    const result = await run([file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('tasks[0].parameters.targets[0].url');
    expect(result.stderr).toContain('tasks[0].parameters.targets[1].method');
    expect(result.stderr).toContain('tasks[0].parameters.duration');
  });

  it('loads only what a load test of plain http targets needs: no TLS or HTTP/2', async () => {
    // Node's own list of the built-in modules the process loaded, written as it exits.
    const preload = join(dir, 'module-list.cjs');
    const list = join(dir, 'modules.txt');
    await writeFile(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));`);
    const file = await planFile('plain.json', JSON.stringify({ name: 'plain', tasks: [{ type: 'load_test', parameters: { targets: [{ url: `${target.url}/plain` }], duration: 1, base_rps: 20 } }] }));
    const result = await runPeer(['run', file], { env: { NODE_OPTIONS: `--require ${preload}` } });
    expect(result.code, result.stderr).toBe(0);
    const loaded = (await readFile(list, 'utf8')).split('\n');
    expect(loaded).toContain('NativeModule net');
    // undici (for https targets) brings node:http, node:tls and node:http2: 15 ms of a run's start.
    for (const heavy of ['http', 'https', 'tls', 'http2']) expect(loaded).not.toContain(`NativeModule ${heavy}`);
  });

  it('exits 2 for a missing plan file', async () => {
    const result = await run([join(dir, 'nope.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read plan');
  });
});
