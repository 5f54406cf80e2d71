// The test types through the REST API of real peers: a stress test split across 3 peers judged on the
// merged results, a performance test against a baseline execution, and a security test as an execution.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { LocalCluster } from '../support/cluster.js';
import { startProbeTarget, type ProbeTarget } from '../support/probe-target.js';

async function post(peer: PeerProcess, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${peer.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function submit(peer: PeerProcess, plan: unknown): Promise<string> {
  const { status, json } = await post(peer, '/api/executions', plan);
  expect(status, JSON.stringify(json)).toBe(201);
  return json.execution_id as string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

// Generous: on a loaded machine the last deltas reach the coordinator seconds after the load ends.
async function finished(peer: PeerProcess, id: string, timeoutMs = 60_000): Promise<Json> {
  return waitFor(
    async () => {
      const e = await getJson<Json>(`${peer.httpUrl}/api/executions/${id}`);
      return ['completed', 'failed', 'cancelled'].includes(e.status) ? e : undefined;
    },
    timeoutMs,
    `execution ${id} to end`,
    200,
  );
}

describe('test types on a 3-peer cluster', () => {
  let cluster: LocalCluster;
  let target: CountingTarget;
  let probeTarget: ProbeTarget;
  beforeAll(async () => {
    [cluster, target, probeTarget] = await Promise.all([LocalCluster.start(3), startCountingTarget(), startProbeTarget({ hardened: false })]);
  }, 40_000);
  afterAll(async () => {
    await Promise.all([cluster?.close(), target?.close(), probeTarget?.close()]);
  });

  it('a performance test compared with a baseline execution passes unchanged and names the regression when slowed', async () => {
    const peer = cluster.alive()[0]!;
    const perf = (baseline?: string) => ({
      name: 'perf',
      tasks: [
        {
          type: 'performance_test',
          parameters: {
            targets: [{ url: `${target.url}/perf` }],
            duration: 2,
            base_rps: 30,
            baseline: { ...(baseline ? { execution_id: baseline } : {}), tolerances: { latency: '10000%', p50: '100%', latency_floor: '100ms' } },
          },
        },
      ],
    });
    const first = await finished(peer, await submit(peer, perf()));
    expect(first.status).toBe('completed');
    expect(first.report.baseline).toBeUndefined();
    const same = await finished(peer, await submit(peer, perf(first.execution_id)));
    expect(same.report.baseline).toMatchObject({ passed: true, source: `execution ${first.execution_id}` });
    target.setDelay(300);
    try {
      const slow = await finished(peer, await submit(peer, perf(first.execution_id)));
      expect(slow.report.baseline.passed).toBe(false);
      expect(slow.report.baseline.regressions.some((r: string) => r.startsWith('p50 rose'))).toBe(true);
    } finally {
      target.setDelay(0);
    }
    const missing = await post(peer, '/api/executions', perf('no-such-execution'));
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.json)).toContain('tasks[0].parameters.baseline.execution_id');
   }, 180_000);

  it('a security test posted as an execution scans once, on one generator, and reports its findings and the gate', async () => {
    const peer = cluster.alive()[2]!;
    const unauthorized = await post(peer, '/api/executions', { name: 'scan', tasks: [{ type: 'security_test', parameters: { target: probeTarget.url } }] });
    expect(unauthorized.status).toBe(400);
    expect(JSON.stringify(unauthorized.json)).toContain('tasks[0].parameters.authorized');
    const id = await submit(peer, { name: 'scan', tasks: [{ type: 'security_test', parameters: { target: probeTarget.url, authorized: true, rate: 50, sql_delay: 1 } }] });
    const e = await finished(peer, id);
    expect(e.status).toBe('completed');
    const security = e.report.security;
    expect(security.status).toBe('completed');
    expect(security.findings.map((f: { kind: string }) => f.kind)).toEqual(
      expect.arrayContaining(['xss_reflected', 'sql_injection_error', 'sql_injection_boolean', 'sql_injection_time', 'csrf_missing_token', 'cors_credentials_any_origin']),
    );
    for (const f of security.findings) expect(f).toMatchObject({ severity: expect.any(String), request: { method: expect.any(String), url: expect.any(String) }, evidence: expect.any(String), remediation: expect.any(String) });
    // One generator scanned: the target saw exactly the requests of one scan.
    expect(security.requests_sent).toBe(probeTarget.total());
    expect(e.report.gate.passed).toBe(false);
  }, 90_000);

  it('a stress test split across 3 peers finds the breaking point within one step on the merged results', async () => {
    target.reset();
    // 130 in any 2 s: steps of 20, 40, 60 stay under it; in the step of 80 (after 60) it answers 503 from 3.75 s on.
    target.setMaxRps(65, 2_000);
    try {
      // Read from the coordinator: it stored every delta it merged (replicas elsewhere may lag).
      const peer = await cluster.waitForCoordinator();
      const id = await submit(peer, {
        name: 'capacity',
        tasks: [{ type: 'stress_test', parameters: { targets: [{ url: `${target.url}/stress` }], start_rps: 20, step_rps: 20, max_rps: 300, step_duration: 1, slo: ['error_rate < 5%'] } }],
      });
      const e = await finished(peer, id);
      expect(e.status, JSON.stringify({ error: e.error, stopped_early: e.stopped_early, nodes: e.nodes })).toBe('completed');
      // The coordinator stopped every generator once the merged results broke the objective (at about
      // 4.5 s), short of the whole staircase (15 s, 20+40+...+300 = 2400 requests). The bound is loose:
      // on a loaded machine the deltas reach the coordinator seconds late.
      expect(e.stopped_early?.reason).toMatch(/at 80 req\/s broke error_rate < 5%/);
      const why = JSON.stringify({ steps: e.report.stress.steps.map((s: Json) => [s.rps, s.requests, s.errors, s.dropped, s.complete, s.passed]), nodes: e.nodes, coordinator: e.coordinator });
      expect(target.count(), why).toBeLessThan(2_400);
      expect(e.nodes).toHaveLength(3);
      expect(e.nodes.every((n: { total_requests: number }) => n.total_requests > 0)).toBe(true); // every peer took a share of each step
      const stress = e.report.stress;
      expect(stress.breaking_point).toMatchObject({ last_good_rps: 60, first_bad_rps: 80 });
      expect(stress.steps.map((s: { rps: number; passed: boolean }) => [s.rps, s.passed])).toEqual([[20, true], [40, true], [60, true], [80, false]]);
      // The judged figures are the whole step's, from every peer: each step's arrivals add up to its rate.
      for (const s of stress.steps) expect(Math.abs(s.requests + s.dropped - s.rps), JSON.stringify({ steps: stress.steps.map((x: Json) => [x.rps, x.requests, x.dropped, x.complete]), nodes: e.nodes })).toBeLessThanOrEqual(1);
      // Rates are per the time it ran (about four steps of the fifteen planned), not the planned duration.
      expect(e.report.duration_s).toBeGreaterThanOrEqual(3.5);
      expect(e.report.duration_s).toBeLessThan(8);
      expect(e.report.summary.requests_per_second).toBeCloseTo(e.report.summary.total_requests / e.report.duration_s, 0);
    } finally {
      target.setMaxRps(undefined);
    }
  }, 180_000);
});
