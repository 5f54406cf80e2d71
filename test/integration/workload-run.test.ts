// Workloads that run, on 3 real peers with different capabilities, locations and custom resources:
// under every strategy a workload of two scenarios lands on the right peers and runs against counting
// targets (the counts match each scenario's merged report); sequential runs one after the other; the
// scenario's resources are reserved in the pool while it runs and released after; a workload that fits
// nowhere is refused with the reason.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getJson, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { LocalCluster } from '../support/cluster.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';

const STRATEGIES = ['round_robin', 'least_loaded', 'capability_based', 'locality_aware', 'weighted', 'adaptive'];

async function post(peer: PeerProcess, path: string, body: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(`${peer.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

async function finished(peer: PeerProcess, id: string): Promise<any> {
  let view: any;
  await waitFor(async () => {
    view = await getJson(`${peer.httpUrl}/api/executions/${id}`);
    // Replicas arrive in any order: wait for each scenario's final report too.
    return ['completed', 'failed', 'cancelled'].includes(view.status) && view.scenarios.every((s: any) => !s.report || s.report.status !== 'running');
  }, 40_000, `workload ${id} to end`);
  return view;
}

const gpuUsed = async (peer: PeerProcess, node: string) => ((await getJson<any>(`${peer.httpUrl}/api/resources`)).nodes[node]?.gpu?.allocated ?? 0) as number;

describe('workloads run on 3 real peers', () => {
  let cluster: LocalCluster;
  let peers: PeerProcess[];
  let a: CountingTarget;
  let b: CountingTarget;

  beforeAll(async () => {
    [a, b] = await Promise.all([startCountingTarget(), startCountingTarget()]);
    cluster = await LocalCluster.create(3);
    const setups = [
      { caps: 'http_load', location: 'eu-west-1', yaml: 'resources: { custom: { gpu: 1 } }' },
      { caps: 'http_load,security_testing', location: 'us-east-1', yaml: 'resources: { custom: {} }' },
      { caps: 'http_load', location: 'eu-west-2', yaml: 'resources: { custom: {} }' },
    ];
    peers = await Promise.all(
      setups.map(async (s, i) => {
        const file = join(cluster.dir, `w-${i}.yaml`);
        await writeFile(file, `${s.yaml}\nresource_management: { monitoring_interval: 0.5 }\nhealth_monitoring: { check_interval: 1 }\n`);
        return cluster.restart(i, { MCP_NODE_CAPABILITIES: s.caps, MCP_NODE_LOCATION: s.location }, ['--config', file]);
      }),
    );
    await cluster.waitForCoordinator();
    await waitFor(async () => (await getJson<{ total_nodes: number }>(`${peers[2]!.httpUrl}/api/resources`)).total_nodes === 3, 20_000, 'three capacities');
    await waitFor(async () => {
      const { nodes } = await getJson<{ nodes: { health?: { state: string } }[] }>(`${peers[2]!.httpUrl}/api/nodes`);
      return nodes.length === 3 && nodes.every((n) => n.health && n.health.state !== 'failed');
    }, 20_000, 'health of all three');
  }, 60_000);

  afterEach((ctx) => {
    if (ctx.task.result?.state !== 'fail' || !process.env.DEBUG_WORKLOADS) return;
    for (const p of peers) console.log(p.id, p.stderr().split('\n').filter((l) => /office|workload|scenario|reserv|WARN|ERROR|submit/i.test(l)).join('\n'));
  });

  afterAll(async () => {
    await cluster?.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  const workload = (strategy: string, mode: string, duration = 1) => ({
    name: `two scenarios ${strategy}`,
    strategy,
    execution_mode: mode,
    scenarios: [
      { scenario_id: 'gpu', test_type: 'load_test', parameters: { targets: [{ url: `${a.url}/gpu` }], duration, base_rps: 20 }, resource_requirements: { gpu: 1 } },
      { scenario_id: 'sec', test_type: 'load_test', parameters: { targets: [{ url: `${b.url}/sec` }], duration, base_rps: 20 }, required_capabilities: ['http_load', 'security_testing'] },
    ],
  });

  it('lands each scenario on the right peer under every strategy and runs it; counts match', async () => {
    const [gpuPeer, securityPeer, asker] = peers as [PeerProcess, PeerProcess, PeerProcess];
    for (const strategy of STRATEGIES) {
      a.reset();
      b.reset();
      const r = await post(asker, '/api/executions', workload(strategy, 'coordinated'));
      expect(r.status, `${strategy}: ${JSON.stringify(r.json)}`).toBe(201);
      const view = await finished(asker, r.json.execution_id);
      expect(view.status, `${strategy}: ${JSON.stringify(view.error)}`).toBe('completed');
      expect(view.execution_mode).toBe('coordinated');
      expect(view.strategy).toBe(strategy);
      expect(view.progress_percent).toBe(100);
      const [gpu, sec] = view.scenarios;
      expect([gpu.nodes, sec.nodes], strategy).toEqual([[gpuPeer.id], [securityPeer.id]]);
      expect([gpu.state, sec.state]).toEqual(['completed', 'completed']);
      // Coordinated: both started at one agreed time.
      expect(gpu.start_at).toBe(sec.start_at);
      expect(gpu.generators.map((g: { node_id: string }) => g.node_id)).toEqual([gpuPeer.id]);
      expect(sec.generators.map((g: { node_id: string }) => g.node_id)).toEqual([securityPeer.id]);
      // Each scenario's merged results are exactly what its target received; the workload's are their sum.
      expect(gpu.report.summary.total_requests).toBe(a.countsByPath()['/gpu']);
      expect(sec.report.summary.total_requests).toBe(b.countsByPath()['/sec']);
      expect(a.count()).toBeGreaterThanOrEqual(15);
      expect(view.report.summary.total_requests).toBe(a.count() + b.count());
      // A scenario runs as a child execution of the workload.
      const child = await getJson<any>(`${asker.httpUrl}/api/executions/${gpu.execution_id}`);
      expect(child.child_of).toEqual({ execution_id: r.json.execution_id, scenario_id: 'gpu' });
      // Its gpu went back to the pool: the next workload may take it.
      await waitFor(async () => (await gpuUsed(asker, gpuPeer.id)) === 0, 10_000, 'the reservation released').catch(async (e) => {
        console.log(JSON.stringify(await getJson(`${asker.httpUrl}/api/allocations`)), JSON.stringify(view.scenarios.map((s: any) => [s.state, s.allocation_id, s.start_at, s.finished_at])));
        for (const p of peers) console.log(p.stderr().split('\n').filter((l) => /alloc|reserv|workload|scenario/i.test(l)).join('\n'));
        throw e;
      });
    }
  }, 240_000);

  it('runs sequential scenarios one after the other, reserving resources only while each runs', async () => {
    const [gpuPeer, , asker] = peers as [PeerProcess, PeerProcess, PeerProcess];
    a.reset();
    b.reset();
    const r = await post(asker, '/api/executions', workload('least_loaded', 'sequential', 2));
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    // The gpu scenario runs first: its gpu is reserved on its peer while it runs...
    await waitFor(async () => a.count() > 0, 10_000, 'the first scenario to send');
    expect(await gpuUsed(asker, gpuPeer.id)).toBe(1);
    const during = await getJson<any>(`${asker.httpUrl}/api/executions/${r.json.execution_id}`);
    expect(during.scenarios.map((s: { state: string }) => s.state)).toEqual(['running', 'waiting']);
    expect(during.scenarios[0].allocation_id).toMatch(/^exec:/);
    expect(during.progress_percent).toBeGreaterThanOrEqual(0);
    expect(during.progress_percent).toBeLessThan(100);
    const view = await finished(asker, r.json.execution_id);
    expect(view.status, JSON.stringify(view.error)).toBe('completed');
    // ... and the second starts only after the first ended.
    const lastA = Math.max(...a.arrivals());
    const firstB = Math.min(...b.arrivals());
    expect(firstB).toBeGreaterThan(lastA);
    expect(Date.parse(view.scenarios[1].start_at)).toBeGreaterThanOrEqual(Date.parse(view.scenarios[0].finished_at));
    expect(view.scenarios[0].report.summary.total_requests).toBe(a.count());
    expect(view.scenarios[1].report.summary.total_requests).toBe(b.count());
    // Released at the end, on every peer's replica of the pool.
    for (const p of peers) await waitFor(async () => (await gpuUsed(p, gpuPeer.id)) === 0, 10_000, 'the reservation released');
  }, 60_000);

  it('refuses a workload that cannot be placed, with the reason', async () => {
    const asker = peers[2]!;
    const r = await post(asker, '/api/executions', {
      name: 'impossible',
      scenarios: [
        { scenario_id: 'ok', test_type: 'load_test', parameters: { targets: [{ url: `${a.url}/x` }], duration: 1, base_rps: 5 } },
        { scenario_id: 'grpc', test_type: 'load_test', parameters: { targets: [{ url: `${a.url}/x` }], duration: 1, base_rps: 5 }, required_capabilities: ['grpc_load'], resource_requirements: { gpu: 2 } },
      ],
    });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('WORKLOAD_UNPLACEABLE');
    expect(r.json.error.message).toMatch(/grpc: needs 1 node\(s\), 0 can take it .*capability grpc_load, gpu: needs 2, [01] free/);
    const listed = await getJson<{ executions: { name: string }[] }>(`${asker.httpUrl}/api/executions`);
    expect(listed.executions.some((e) => e.name === 'impossible')).toBe(false);
  }, 30_000);
});
