// The node monitor on real peers: samples from the machine, a real HTTP check the test breaks and
// mends, alerts raised and resolved, health gossiped to the other peer, saturation of a starved generator.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, waitFor } from '../../scripts/lib/peer-process.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { LocalCluster } from '../support/cluster.js';

interface AlertView { id: string; node: string; metric: string; level: string; value: number; threshold: number; raised_at: string; resolved_at: string | null }
interface NodeHealthView { node_id: string; health?: { state: string; score: number; cpu_percent: number | null; memory_percent: number | null } }

describe('node monitor on real peers', () => {
  let cluster: LocalCluster | undefined;
  let target: CountingTarget | undefined;
  afterEach(async () => {
    await cluster?.close();
    await target?.close();
    cluster = undefined;
    target = undefined;
  });

  it('raises an alert when a check fails and a threshold is crossed, resolves it when back, and gossips health', async () => {
    target = await startCountingTarget();
    cluster = await LocalCluster.create(2);
    const config = join(cluster.dir, 'monitor.yaml');
    // A disk threshold every machine crosses (1 %), and a check the test can break.
    await writeFile(
      config,
      [
        'health_monitoring:',
        '  check_interval: 0.5',
        '  alert_threshold: 2',
        '  alert_thresholds: { disk_warning: 1, disk_critical: 100 }',
        '  checks:',
        `    - { name: target, type: http, url: "${target.url}/ping", expected_status: 200, interval: 0.25, timeout: 1 }`,
      ].join('\n'),
    );
    const [a] = await Promise.all([cluster.restart(0, {}, ['--config', config]), cluster.restart(1)]);
    const alerts = (active: boolean) => getJson<{ alerts: AlertView[] }>(`${a.httpUrl}/api/alerts${active ? '?active=true' : ''}`).then((r) => r.alerts);

    const disk = await waitFor(async () => (await alerts(true)).find((x) => x.metric === 'disk' && x.level === 'warning'), 10_000, 'disk alert');
    expect(disk).toMatchObject({ node: a.id, threshold: 1, resolved_at: null });
    expect(disk.value).toBeGreaterThan(1);

    const health = await getJson<{ status: string; checks: { name: string; ok: boolean }[]; metrics: { cpu_cores: number; memory_total_bytes: number } }>(`${a.httpUrl}/health`);
    expect(health.checks).toMatchObject([{ name: 'target', ok: true }]);
    expect(health.metrics.cpu_cores).toBeGreaterThan(0);
    expect(health.metrics.memory_total_bytes).toBeGreaterThan(0);

    target.setStatus(500);
    const raised = await waitFor(async () => (await alerts(true)).find((x) => x.metric === 'check:target'), 10_000, 'check alert');
    expect(raised).toMatchObject({ level: 'critical', resolved_at: null });
    // A failed check makes the node at least `warning` (score.ts: critical only past a critical threshold or
    // below 50), at its next health evaluation.
    await waitFor(async () => ['warning', 'critical'].includes((await getJson<{ status: string }>(`${a.httpUrl}/health`)).status), 10_000, 'the node to be warning or worse');

    target.setStatus(200);
    await waitFor(async () => !(await alerts(true)).some((x) => x.metric === 'check:target'), 10_000, 'check alert resolved');
    const history = (await alerts(false)).filter((x) => x.id === raised.id);
    expect(history).toHaveLength(1);
    expect(Date.parse(history[0]!.resolved_at!)).toBeGreaterThan(Date.parse(history[0]!.raised_at));

    // The other peer knows both nodes' health (gossip) and the aggregate.
    const b = cluster.peers[1]!;
    const nodes = await waitFor(async () => {
      const r = await getJson<{ nodes: NodeHealthView[] }>(`${b.httpUrl}/api/nodes`);
      return r.nodes.length === 2 && r.nodes.every((n) => n.health && n.health.state !== 'failed') ? r.nodes : undefined;
    }, 15_000, 'both nodes with health on peer b');
    for (const n of nodes) expect(n.health!.cpu_percent).not.toBeNull();
    const summary = await getJson<{ node_health: { healthy_nodes: number; warning_nodes: number; critical_nodes: number; failed_nodes: number; average_health_score: number } }>(`${b.httpUrl}/api/health`);
    const h = summary.node_health;
    expect(h.healthy_nodes + h.warning_nodes + h.critical_nodes).toBe(2);
    expect(h.failed_nodes).toBe(0);
    expect(h.average_health_score).toBeGreaterThan(0);
    // b sees a's active disk alert.
    const seen = await getJson<{ alerts: AlertView[] }>(`${b.httpUrl}/api/alerts?active=true`);
    expect(seen.alerts.some((x) => x.node === a.id && x.metric === 'disk')).toBe(true);

    // A killed peer becomes failed in the other's view.
    await a.kill('SIGKILL');
    await waitFor(async () => {
      const r = await getJson<{ nodes: NodeHealthView[] }>(`${b.httpUrl}/api/nodes`);
      return r.nodes.find((n) => n.node_id === a.id)?.health?.state === 'failed';
    }, 10_000, 'a failed in b\'s view');
  }, 60_000);
});
