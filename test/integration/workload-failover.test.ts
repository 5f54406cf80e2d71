// A workload survives its coordinator's death: a sequential workload of two scenarios on the two
// other peers goes on under the next coordinator, which takes the workload over from its replica,
// asks again for the reservation the dead one held, and starts the second scenario when the first ends.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { LocalCluster } from '../support/cluster.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';

describe('a workload across a coordinator failover', () => {
  let cluster: LocalCluster | undefined;
  let target: CountingTarget | undefined;
  afterEach(async () => {
    await cluster?.close();
    await target?.close();
  });

  it('goes on under the next coordinator and ends completed, its reservation released', async () => {
    target = await startCountingTarget();
    cluster = await LocalCluster.create(3);
    const peers = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const file = join(cluster!.dir, `f-${i}.yaml`);
        await writeFile(file, `resources: { custom: { gpu: 1 } }\nresource_management: { monitoring_interval: 0.5 }\nhealth_monitoring: { check_interval: 1 }\n`);
        return cluster!.restart(i, { MCP_NODE_LOCATION: `loc-${i}` }, ['--config', file]);
      }),
    );
    const coordinator = await cluster.waitForCoordinator(30_000);
    const others = peers.filter((p) => p.id !== coordinator.id);
    const [first, second] = others as [PeerProcess, PeerProcess];
    const locOf = (p: PeerProcess) => `loc-${peers.indexOf(p)}`;
    await waitFor(async () => (await getJson<{ total_nodes: number }>(`${first.httpUrl}/api/resources`)).total_nodes === 3, 20_000, 'three capacities');
    await waitFor(async () => {
      const { nodes } = await getJson<{ nodes: { health?: { state: string } }[] }>(`${first.httpUrl}/api/nodes`);
      return nodes.length === 3 && nodes.every((n) => n.health && n.health.state !== 'failed');
    }, 20_000, 'health of all three');
    const scenario = (id: string, p: PeerProcess, extra: object) => ({ scenario_id: id, test_type: 'load_test', parameters: { targets: [{ url: `${target!.url}/${id}` }], duration: 4, base_rps: 20 }, location: locOf(p), ...extra });
    const r = await fetch(`${first.httpUrl}/api/executions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'failover', strategy: 'round_robin', execution_mode: 'sequential', scenarios: [scenario('one', first, { resource_requirements: { gpu: 1 } }), scenario('two', second, {})] }),
    });
    expect(r.status, await r.clone().text()).toBe(201);
    const { execution_id } = (await r.json()) as { execution_id: string };
    await waitFor(async () => (target!.countsByPath()['/one'] ?? 0) > 5, 15_000, 'the first scenario to send');
    await coordinator.kill('SIGKILL');
    const next = await cluster.waitForCoordinator(15_000, coordinator.id);
    expect(others.map((p) => p.id)).toContain(next.id);

    let view: any;
    await waitFor(async () => {
      view = await getJson(`${second.httpUrl}/api/executions/${execution_id}`);
      return ['completed', 'failed', 'cancelled'].includes(view.status) && view.scenarios.every((s: any) => s.report?.status === 'completed');
    }, 40_000, 'the workload to end').catch((e) => {
      console.log(JSON.stringify({ status: view?.status, coordinator: view?.coordinator, scenarios: view?.scenarios?.map((x: any) => [x.state, x.execution_id, x.reason, x.report?.status]) }));
      for (const p of others) console.log(p.id, p.stderr().split('\n').filter((l) => /office|workload|scenario|reserv|WARN|ERROR|taking|lease|delta|stop|load /i.test(l)).join('\n'));
      throw e;
    });
    expect(view.status, JSON.stringify(view.error)).toBe('completed');
    expect(view.coordinator).toBe(next.id);
    expect(view.scenarios.map((s: any) => [s.state, s.nodes])).toEqual([
      ['completed', [first.id]],
      ['completed', [second.id]],
    ]);
    // Sequential across the failover: the second sent only after the first ended.
    expect(Date.parse(view.scenarios[1].start_at)).toBeGreaterThanOrEqual(Date.parse(view.scenarios[0].finished_at));
    // The generators lived: their totals are exact across the change of coordinator.
    expect(view.scenarios[0].report.summary.total_requests).toBe(target.countsByPath()['/one']);
    expect(view.scenarios[1].report.summary.total_requests).toBe(target.countsByPath()['/two']);
    await waitFor(async () => (await getJson<any>(`${second.httpUrl}/api/resources`)).nodes[first.id]?.gpu?.allocated === 0, 15_000, 'the gpu released');
  }, 120_000);
});
