// GET /metrics and /api/metrics on real peers during and after a distributed run against a counting target;
// the output passes `promtool check metrics`; the HTML report route serves one self-contained file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { LocalCluster } from '../support/cluster.js';
import { PROMTOOL, promtoolCheck, sumSamples } from '../support/promtool.js';

const metricsText = async (peer: PeerProcess) => {
  const res = await fetch(`${peer.httpUrl}/metrics`);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
};

describe.skipIf(!PROMTOOL)('Prometheus metrics on 2 real peers (needs promtool: apt-get install prometheus)', () => {
  let cluster: LocalCluster;
  let target: CountingTarget;
  beforeAll(async () => {
    [cluster, target] = await Promise.all([LocalCluster.start(2), startCountingTarget()]);
  });
  afterAll(async () => {
    await cluster?.close();
    await target?.close();
  });

  it('counts what the target received, passes promtool during the run, and serves the seed JSON and an HTML report', async () => {
    const peers = cluster.alive();
    const body = {
      name: 'metrics',
      tasks: [{ type: 'load_test', parameters: { targets: [{ url: `${target.url}/m` }], duration: 8, base_rps: 40, pattern: 'constant', thresholds: ['error_rate < 0.01'] } }],
    };
    const res = await fetch(`${peers[0]!.httpUrl}/api/executions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    const { execution_id: id } = (await res.json()) as { execution_id: string };

    // During the run: every peer's output passes promtool and carries this execution's series.
    await waitFor(async () => sumSamples(await metricsText(peers[1]!), 'mcp_load_generator_total_requests_total', { execution_id: id }) > 0, 8_000, 'live series');
    for (const peer of peers) {
      const text = await metricsText(peer);
      const check = promtoolCheck(text);
      expect(check.ok, check.output).toBe(true);
      for (const name of ['mcp_orchestrator_active_executions', 'mcp_orchestrator_total_nodes', 'mcp_orchestrator_tasks_completed_total', 'mcp_load_generator_requests_per_second', 'mcp_load_generator_error_rate', 'mcp_node_health_score', 'process_cpu_seconds_total']) {
        expect(text).toContain(`# TYPE ${name} `);
      }
    }
    const during = await Promise.all(peers.map(metricsText));
    expect(during.some((t) => t.includes(`mcp_load_generator_response_time_seconds_bucket{execution_id="${id}",le="+Inf"}`))).toBe(true);
    // The peer in the coordinator role alone exports it (a lease renewal late under load may make the role flicker).
    const active = await waitFor(
      async () => {
        const texts = await Promise.all(peers.map(metricsText));
        const sum = texts.reduce((s, t) => s + sumSamples(t, 'mcp_orchestrator_active_executions'), 0);
        return sum === 1 ? sum : undefined;
      },
      5_000,
      'one active execution, exported once',
      200,
    ).catch(() => 0);
    expect(active).toBe(1);

    await waitFor(async () => (await getJson<{ status: string }>(`${peers[0]!.httpUrl}/api/executions/${id}`)).status === 'completed', 15_000, 'completed', 200);
    // Sum over peers (each exports its own generator) equals what the target counted, once the last deltas landed.
    const total = await waitFor(
      async () => {
        const texts = await Promise.all(peers.map(metricsText));
        const sum = texts.reduce((s, t) => s + sumSamples(t, 'mcp_load_generator_total_requests_total', { execution_id: id }), 0);
        return sum === target.count() ? sum : undefined;
      },
      5_000,
      'counter = target count',
    ).catch(async () => {
      const texts = await Promise.all(peers.map(metricsText));
      return texts.reduce((s, t) => s + sumSamples(t, 'mcp_load_generator_total_requests_total', { execution_id: id }), 0);
    });
    expect(total).toBe(target.count());
    expect(total).toBeGreaterThan(200);
    const texts = await Promise.all(peers.map(metricsText));
    expect(texts.reduce((s, t) => s + sumSamples(t, 'mcp_load_generator_total_requests_total', { execution_id: id, status_class: '2xx' }), 0)).toBe(target.count());
    const completed = await waitFor(
      async () => ((await Promise.all(peers.map(metricsText))).reduce((s, t) => s + sumSamples(t, 'mcp_orchestrator_tasks_completed_total'), 0) === 1) || undefined,
      5_000,
      'one completed task, exported once',
      200,
    ).catch(() => false);
    expect(completed).toBe(true);
    expect(promtoolCheck(texts[0]!).ok).toBe(true);

    const api = await getJson<{ orchestrator: Record<string, number>; load_generation: Record<string, number>; resource_utilization: object; node_health: object }>(`${peers[1]!.httpUrl}/api/metrics`);
    expect(api.orchestrator).toMatchObject({ active_executions: 0, tasks_completed: 1, tasks_failed: 0, total_nodes: 2 });
    expect(api.load_generation.total_requests).toBe(target.count());
    expect(Object.keys(api.resource_utilization).sort()).toEqual(['cpu_usage', 'disk_usage', 'memory_usage', 'network_usage']);
    expect(Object.keys(api.node_health).sort()).toEqual(['average_health_score', 'critical_nodes', 'failed_nodes', 'healthy_nodes', 'warning_nodes']);

    // Node metrics come from the node monitor's gossiped samples: every peer exports one series per node.
    await waitFor(async () => (await metricsText(peers[0]!)).split('\n').filter((l) => l.startsWith('mcp_node_health_score{')).length === 2 || undefined, 15_000, 'health of both nodes');
    const withHealth = await metricsText(peers[0]!);
    for (const peer of peers) {
      for (const name of ['mcp_node_health_score', 'mcp_node_cpu_usage', 'mcp_node_memory_usage', 'mcp_node_disk_usage', 'mcp_node_network_usage']) {
        expect(withHealth).toMatch(new RegExp(`^${name}\\{node_id="${peer.id}"\\} [0-9.e+]+$`, 'm'));
      }
    }
    expect(promtoolCheck(withHealth).ok).toBe(true);

    const report = await fetch(`${peers[1]!.httpUrl}/api/executions/${id}/report.html`);
    expect(report.headers.get('content-type')).toContain('text/html');
    const html = await report.text();
    expect(html).toContain('id="report-data"');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i); // nothing to fetch
    const data = JSON.parse(html.match(/<script id="report-data" type="application\/json">(.*?)<\/script>/s)![1]!) as { report: { summary: { total_requests: number } }; nodes: unknown[] };
    expect(data.report.summary.total_requests).toBe(target.count());
    expect(data.nodes).toHaveLength(2);
  }, 60_000);
});
