// The test types through /mcp on a real 2-peer cluster: run_stress_test finds the breaking point on the
// merged results, run_security_scan reports the findings of the vulnerable application, and both go
// through the guardrails (allow-list, authorized: true) with nothing sent when refused.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalCluster } from '../support/cluster.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { startProbeTarget, type ProbeTarget } from '../support/probe-target.js';
import { call, httpClient } from './support.js';

let cluster: LocalCluster;
let target: CountingTarget;
let outside: CountingTarget;
let app: ProbeTarget;
let url: string;

beforeAll(async () => {
  [target, outside, app] = await Promise.all([startCountingTarget(), startCountingTarget(), startProbeTarget({ hardened: false })]);
  cluster = await LocalCluster.create(2);
  const env = { MCP_ALLOWED_TARGETS: `127.0.0.1:${target.port},${new URL(app.url).host}`, MCP_CONFIRM_REQUESTS: '100000', MCP_CONFIRM_RPS: '100000' };
  await Promise.all([0, 1].map((i) => cluster.restart(i, env)));
  await cluster.waitForCoordinator();
  url = `${cluster.alive()[1]!.httpUrl}/mcp`;
}, 60_000);

afterAll(async () => {
  await cluster?.close();
  await Promise.all([target?.close(), outside?.close(), app?.close()]);
});

describe('test types over MCP', () => {
  test('run_stress_test: the breaking point within one step, judged on both peers merged', async () => {
    const client = await httpClient(url, { era: 'modern' });
    try {
      // 130 in any 2 s: steps of 20, 40 and 60 req/s hold; the step of 80 gets 503s.
      target.setMaxRps(65, 2_000);
      const parameters = { targets: [{ url: `${target.url}/stress` }], start_rps: 20, step_rps: 20, max_rps: 200, step_duration: 1, slo: ['error_rate < 5%'] };
      const started = await call(client, 'run_stress_test', { name: 'capacity', parameters });
      expect(started.structured.status).toBe('started');
      const done = await call(client, 'wait_for_test', { execution_id: started.structured.execution_id, timeout_s: 60 });
      expect(done.structured.status).toBe('completed');
      const stress = done.structured.test_types.stress[0];
      expect(stress.breaking_point).toMatchObject({ last_good_rps: 60, first_bad_rps: 80 });
      expect(stress.steps.map((s: { rps: number; passed: boolean }) => [s.rps, s.passed])).toEqual([[20, true], [40, true], [60, true], [80, false]]);
      expect(done.text).toContain('first bad 80 req/s');
    } finally {
      target.setMaxRps(undefined);
      await client.close();
    }
  }, 120_000);

  test('run_security_scan: findings with their proof, the gate failed; refused without authorized: true or off the allow-list', async () => {
    const client = await httpClient(url, { era: 'modern' });
    try {
      const unauthorized = await call(client, 'run_security_scan', { parameters: { target: app.url } }, { refused: true });
      expect(unauthorized.error).toContain('authorized');
      const off = await call(client, 'run_security_scan', { parameters: { target: outside.url, authorized: true } }, { refused: true });
      expect(off.error).toContain('tasks[0].parameters.target');
      expect(outside.count()).toBe(0);

      const started = await call(client, 'run_security_scan', { parameters: { target: app.url, authorized: true, rate: 50, sql_delay: 1 } });
      const done = await call(client, 'wait_for_test', { execution_id: started.structured.execution_id, timeout_s: 60 });
      expect(done.structured.status).toBe('completed');
      const scan = done.structured.test_types.security[0];
      expect(scan.findings.map((f: { kind: string }) => f.kind)).toEqual(expect.arrayContaining(['xss_reflected', 'sql_injection_error', 'csrf_missing_token', 'cors_credentials_any_origin']));
      expect(scan.findings[0]).toMatchObject({ request: { url: expect.stringContaining(app.url) }, evidence: expect.any(String), remediation: expect.any(String) });
      expect(done.structured.test_types.gate.passed).toBe(false);
    } finally {
      await client.close();
    }
  }, 120_000);
});
