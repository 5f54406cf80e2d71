// `node peer.js run` with the test types, end to end: a real process, real targets that count.
// Stress finds the breaking point of a target that answers 503 over a known rate; a performance test
// passes against its own baseline and fails (exit 99) once the target slows; security probes gate too.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { runPeer, type PeerRun } from '../support/run-peer.js';
import { startProbeTarget } from '../support/probe-target.js';

let dir: string;
let target: CountingTarget;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-types-'));
  target = await startCountingTarget();
});
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<PeerRun> {
  return runPeer(['run', ...args], { timeoutMs: 40_000 });
}

async function planFile(name: string, plan: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(plan));
  return file;
}

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8'));

describe('stress_test on one peer', () => {
  it('steps the rate up until the target answers 503 over its capacity, finds the breaking point within one step, and stops', async () => {
    target.reset();
    // 130 in any 2 s: steps of 20, 40, 60 stay under it; in the step of 80 (after 60) it answers 503 from 3.75 s on.
    target.setMaxRps(65, 2_000);
    try {
      const file = await planFile('stress.json', {
        name: 'capacity',
        tasks: [{ type: 'stress_test', parameters: { targets: [{ url: `${target.url}/stress` }], start_rps: 20, step_rps: 20, max_rps: 200, step_duration: 1, slo: ['error_rate < 5%', 'p99 < 2s'] } }],
      });
      const out = join(dir, 'stress-report.json');
      const result = await run([file, '--out', out]);
      expect(result.code, result.stderr).toBe(0);
      const report = await readJson(out);
      expect(report.status).toBe('completed');
      expect(report.stress.status).toBe('broken');
      expect(report.stress.breaking_point).toMatchObject({ last_good_rps: 60, first_bad_rps: 80 });
      expect(report.stress.broken_by).toEqual(['error_rate < 5%']);
      expect(report.stress.steps.map((s: { rps: number; passed: boolean }) => [s.rps, s.passed])).toEqual([[20, true], [40, true], [60, true], [80, false]]);
      expect(report.stress.curve).toHaveLength(4);
      expect(report.stress.steps[3].error_rate).toBeGreaterThan(0.05);
      // Each passing step carried its rate (within a request of it): the figures are the step's own.
      for (const s of report.stress.steps.slice(0, 3)) expect(Math.abs(s.requests + s.dropped - s.rps)).toBeLessThanOrEqual(1);
      // It stopped soon after the breaking step instead of climbing to 200 req/s (20+40+...+200 = 1100 requests).
      expect(target.count()).toBeLessThan(20 + 40 + 60 + 80 + 100);
      // Requests in flight when the judge stops the run are aborted by the stop (error kind `aborted`):
      // those may or may not have reached the target; every other one did.
      const aborted = report.summary.errors.aborted ?? 0;
      expect(report.summary.total_requests - aborted).toBeLessThanOrEqual(target.count());
      expect(report.summary.total_requests).toBeGreaterThanOrEqual(target.count() - 5);
      expect(result.stdout).toMatch(/stress: broken {2}last good 60 req\/s, first bad 80 req\/s/);
      // This process watched its own event loop: the cause is known (on this busy machine, either).
      expect(['target', 'client_saturated']).toContain(report.stress.breaking_point.cause);
    } finally {
      target.setMaxRps(undefined);
    }
  });

  it('flags a breaking point found while the client itself was saturated, not as the target\'s limit', async () => {
    target.reset();
    target.setMaxRps(65, 2_000);
    try {
      const file = await planFile('stress-saturated.json', {
        name: 'capacity',
        tasks: [{ type: 'stress_test', parameters: { targets: [{ url: `${target.url}/stress` }], start_rps: 20, step_rps: 20, max_rps: 200, step_duration: 1, slo: ['error_rate < 5%'] } }],
      });
      // Any event-loop delay at all counts as saturated: every second of this client is.
      const config = join(dir, 'saturated.yaml');
      await writeFile(config, 'health_monitoring:\n  saturation:\n    event_loop_delay_ms: 0.001\n');
      const out = join(dir, 'stress-saturated.json');
      const result = await run([file, '--out', out, '--config', config]);
      expect(result.code, result.stderr).toBe(0);
      const report = await readJson(out);
      expect(report.stress.breaking_point).toMatchObject({ first_bad_rps: 80, cause: 'client_saturated' });
      expect(report.stress.steps.every((s: { client_saturated: boolean }) => s.client_saturated)).toBe(true);
      expect(report.stress.note).toMatch(/not of the target/);
    } finally {
      target.setMaxRps(undefined);
    }
  });

  it('reports a held objective when no step breaks it up to max_rps', async () => {
    target.reset();
    const file = await planFile('stress-held.json', {
      name: 'held',
      tasks: [{ type: 'stress_test', parameters: { targets: [{ url: `${target.url}/held` }], start_rps: 10, step_rps: 10, max_rps: 30, step_duration: 1, slo: ['error_rate < 1%'] } }],
    });
    const out = join(dir, 'held-report.json');
    const result = await run([file, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const report = await readJson(out);
    expect(report.stress.status).toBe('held');
    expect(report.stress.breaking_point).toEqual({ last_good_rps: 30, first_bad_rps: null, cause: null });
    expect(target.count()).toBe(60);
  });
});

describe('performance_test against a baseline', () => {
  const plan = (name: string) => ({
    name,
        // The median with a wide absolute floor: this machine is shared, and its tail latencies jump by
    // hundreds of ms under load from elsewhere; a 300 ms slower target moves the median far past it.
    tasks: [
      {
        type: 'performance_test',
        parameters: {
          targets: [{ url: `${target.url}/perf` }],
          duration: 2,
          base_rps: 50,
          baseline: { tolerances: { latency: '10000%', p50: '100%', latency_floor: '100ms' } },
        },
      },
    ],
  });

  it('passes against its own baseline on an unchanged target and fails (99) naming the regression on a slowed one', async () => {
    target.setDelay(0);
    const file = await planFile('perf.json', plan('perf'));
    const first = join(dir, 'perf-1.json');
    const r1 = await run([file, '--out', first]);
    expect(r1.code, r1.stderr).toBe(0);
    expect((await readJson(first)).baseline).toBeUndefined();

    const second = join(dir, 'perf-2.json');
    const r2 = await run([file, '--out', second, '--baseline', first]);
    expect(r2.code, r2.stdout + r2.stderr).toBe(0);
    const same = await readJson(second);
    expect(same.baseline).toMatchObject({ passed: true, regressions: [], source: first });
    expect(same.baseline.metrics.map((m: { metric: string }) => m.metric)).toEqual(['rps', 'error_rate', 'p50', 'p90', 'p95', 'p99', 'p999', 'mean']);

    target.setDelay(300);
    try {
      const third = join(dir, 'perf-3.json');
      const r3 = await run([file, '--out', third, '--baseline', first]);
      expect(r3.code, r3.stdout + r3.stderr).toBe(99);
      const slow = await readJson(third);
      expect(slow.baseline.passed).toBe(false);
      expect(slow.baseline.regressions.some((r: string) => r.startsWith('p50 rose'))).toBe(true);
      expect(r3.stdout).toMatch(/REGRESSION {2}p50 rose/);
    } finally {
      target.setDelay(0);
    }
  });

  it('refuses a baseline file that is not a report (exit 2)', async () => {
    const file = await planFile('perf-bad.json', plan('perf'));
    const bogus = join(dir, 'bogus.json');
    await writeFile(bogus, JSON.stringify({ hello: 1 }));
    const result = await run([file, '--baseline', bogus]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is not a report to compare with[\s\S]*summary/);
  });
});

describe('security_test from the command line', () => {
  it('exits 99 with the findings of the vulnerable application and 0 on its hardened twin', async () => {
    const [bad, good] = await Promise.all([startProbeTarget({ hardened: false }), startProbeTarget({ hardened: true })]);
    try {
      const plan = (url: string) => ({ name: 'scan', tasks: [{ type: 'security_test', parameters: { target: url, authorized: true, depth: 'normal', rate: 50, sql_delay: 1 } }] });
      const outBad = join(dir, 'scan-bad.json');
      const outGood = join(dir, 'scan-good.json');
      const [r1, r2] = await Promise.all([run([await planFile('scan-bad.json', plan(bad.url)), '--out', outBad]), run([await planFile('scan-good.json', plan(good.url)), '--out', outGood])]);
      expect(r1.code, r1.stderr).toBe(99);
      expect(r2.code, r2.stderr).toBe(0);
      const found = await readJson(outBad);
      expect(found.security.findings.map((f: { kind: string }) => f.kind)).toEqual(expect.arrayContaining(['xss_reflected', 'sql_injection_error', 'csrf_missing_token', 'cors_credentials_any_origin']));
      expect(found.security.requests_sent).toBe(bad.total());
      expect((await readJson(outGood)).security.findings).toEqual([]);
      expect(r1.stdout).toMatch(/HIGH +Reflected XSS/);
    } finally {
      await Promise.all([bad.close(), good.close()]);
    }
  });
});
