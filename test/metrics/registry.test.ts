// The metrics registry on a real store: one registry per peer (two in one process do not clash), the seed's
// names, the dashboard queries only metrics that exist, and the scrape configuration is valid for Prometheus.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { ExecutionFeed } from '../../src/live/execution-feed.js';
import { metricsRegistry } from '../../src/metrics/registry.js';
import type { MetricsSources } from '../../src/metrics/sources.js';
import { REPO_ROOT } from '../../scripts/lib/peer-process.js';
import { PROMTOOL, promtoolCheck } from '../support/promtool.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-metrics-'));
  store = Store.open(dir);
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

function sources(self: string, coordinator: boolean): MetricsSources {
  return {
    self,
    store,
    feed: new ExecutionFeed(store),
    aliveNodes: async () => 3,
    isCoordinator: async () => coordinator,
    nodeHealth: () => [{ node_id: self, cpu_percent: 12.5, memory_percent: 40, disk_percent: 70, network_bytes_per_s: 1024, health_score: 91, status: 'healthy' }],
    healthSummary: () => ({ healthy_nodes: 1, warning_nodes: 0, critical_nodes: 0, failed_nodes: 0, average_health_score: 91 }),
  };
}

describe('metricsRegistry', () => {
  it('gives each peer its own registry with the seed names; the coordinator alone exports cluster figures', async () => {
    const a = metricsRegistry(sources('peer-a', true));
    const b = metricsRegistry(sources('peer-b', false));
    const [ta, tb] = [await a.metrics(), await b.metrics()];
    expect(ta).toMatch(/^mcp_orchestrator_total_nodes 3$/m);
    expect(tb).toMatch(/^mcp_orchestrator_total_nodes 0$/m);
    expect(ta).toMatch(/^mcp_node_health_score\{node_id="peer-a"\} 91$/m);
    expect(tb).toMatch(/^mcp_node_cpu_usage\{node_id="peer-b"\} 12.5$/m);
    expect(ta).toContain('# TYPE mcp_load_generator_total_requests_total counter');
    expect(ta).toContain('# TYPE mcp_load_generator_response_time_seconds histogram');
    expect(ta).toContain('process_cpu_seconds_total');
    if (PROMTOOL) expect(promtoolCheck(ta)).toEqual({ ok: true, output: '' });
  });

  it('answers every metric the Grafana dashboard queries', async () => {
    const registry = metricsRegistry(sources('peer-a', true));
    const exported = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'deploy/grafana/dashboard.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const queried = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/mcp_[a-z_]+/g) ?? [])).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    expect(queried.size).toBeGreaterThan(10);
    for (const name of queried) expect(exported, name).toContain(name);
  });

  it.skipIf(!PROMTOOL)('ships a scrape configuration that promtool accepts', () => {
    const run = spawnSync('promtool', ['check', 'config', join(REPO_ROOT, 'deploy/grafana/prometheus.yml')], { encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });
});
