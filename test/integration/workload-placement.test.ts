// Placement of a workload on 3 real peers with different capabilities, locations and custom resources:
// under every strategy the scenarios land on the peers that can take them; one that fits nowhere is
// refused with each node's reasons.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { LocalCluster } from '../support/cluster.js';

const load = { targets: [{ url: 'http://127.0.0.1:9/' }], duration: 2, base_rps: 10 };
const STRATEGIES = ['round_robin', 'least_loaded', 'capability_based', 'locality_aware', 'weighted', 'adaptive'];

async function place(peer: PeerProcess, body: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(`${peer.httpUrl}/api/workloads/placement`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

describe('workload placement on 3 real peers', () => {
  let cluster: LocalCluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('places each scenario on the right peer under every strategy, and refuses what fits nowhere', async () => {
    cluster = await LocalCluster.create(3);
    const setups = [
      { caps: 'http_load', location: 'eu-west-1', yaml: 'resources: { custom: { gpu: 1 } }' },
      { caps: 'http_load,security_testing', location: 'us-east-1', yaml: 'resources: { custom: {} }' },
      { caps: 'http_load', location: 'eu-west-2', yaml: 'resources: { custom: {} }' },
    ];
    const peers = await Promise.all(
      setups.map(async (s, i) => {
        const file = join(cluster!.dir, `w-${i}.yaml`);
        await writeFile(file, `${s.yaml}\nresource_management: { monitoring_interval: 0.5 }\nhealth_monitoring: { check_interval: 1 }\n`);
        return cluster!.restart(i, { MCP_NODE_CAPABILITIES: s.caps, MCP_NODE_LOCATION: s.location }, ['--config', file]);
      }),
    );
    const [gpuPeer, securityPeer, westPeer] = peers as [PeerProcess, PeerProcess, PeerProcess];
    const asker = westPeer;
    await waitFor(async () => (await getJson<{ total_nodes: number }>(`${asker.httpUrl}/api/resources`)).total_nodes === 3, 20_000, 'three capacities');
    await waitFor(async () => {
      const { nodes } = await getJson<{ nodes: { health?: { state: string } }[] }>(`${asker.httpUrl}/api/nodes`);
      return nodes.length === 3 && nodes.every((n) => n.health && n.health.state !== 'failed');
    }, 20_000, 'health of all three');

    const workload = (strategy: string) => ({
      name: 'two scenarios',
      strategy,
      scenarios: [
        { scenario_id: 'gpu', test_type: 'load_test', parameters: load, resource_requirements: { gpu: 1 } },
        { scenario_id: 'sec', test_type: 'load_test', parameters: load, required_capabilities: ['http_load', 'security_testing'] },
        { scenario_id: 'west', test_type: 'load_test', parameters: load, location: 'eu-west-2' },
      ],
    });
    for (const strategy of STRATEGIES) {
      const r = await place(asker, workload(strategy));
      expect(r.status, `${strategy}: ${JSON.stringify(r.json)}`).toBe(200);
      expect(r.json.strategy).toBe(strategy);
      const where = Object.fromEntries(r.json.placements.map((p: { scenario_id: string; nodes: string[] }) => [p.scenario_id, p.nodes]));
      expect(where, strategy).toEqual({ gpu: [gpuPeer.id], sec: [securityPeer.id], west: [westPeer.id] });
    }

    // The default strategy applies when none is named.
    const byDefault = await place(asker, { name: 'w', scenarios: [{ test_type: 'load_test', parameters: load }] });
    expect(byDefault.json.strategy).toBe('least_loaded');

    // Nowhere to go: refused with each node's reasons.
    const refused = await place(asker, {
      name: 'impossible',
      strategy: 'weighted',
      scenarios: [
        { scenario_id: 'ok', test_type: 'load_test', parameters: load },
        { scenario_id: 'grpc', test_type: 'load_test', parameters: load, required_capabilities: ['grpc_load'], resource_requirements: { gpu: 2 } },
      ],
    });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('WORKLOAD_UNPLACEABLE');
    const grpc = refused.json.error.details.placements.find((p: { scenario_id: string }) => p.scenario_id === 'grpc');
    expect(grpc.ok).toBe(false);
    const reasons = Object.fromEntries(grpc.rejected.map((r: { node_id: string; missing: string[] }) => [r.node_id, r.missing]));
    expect(reasons[gpuPeer.id]).toEqual(['capability grpc_load', 'gpu: needs 2, 1 free']);
    expect(reasons[securityPeer.id]).toEqual(['capability grpc_load', 'gpu: needs 2, 0 free']);
    expect(refused.json.error.message).toMatch(/^1 of 2 scenario\(s\) cannot be placed: grpc: needs 1 node\(s\), 0 can take it/);

    // A pinned location no node has, under a strategy that pins it.
    const nowhere = await place(asker, { name: 'w', strategy: 'round_robin', scenarios: [{ scenario_id: 'ap', test_type: 'load_test', parameters: load, location: 'ap-south-1' }] });
    expect(nowhere.status).toBe(409);
    expect(nowhere.json.error.details.placements[0].rejected[0].missing).toEqual([expect.stringMatching(/^location ap-south-1 \(is /)]);

    // An invalid workload names the fields.
    const bad = await place(asker, { name: 'w', scenarios: [{ test_type: 'load_test', parameters: { ...load, duration: -1 } }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details[0].path).toBe('scenarios[0].parameters.duration');

    const distribution = await getJson<{ default_strategy: string; strategies: string[] }>(`${asker.httpUrl}/api/distribution`);
    expect(distribution.strategies).toEqual(STRATEGIES);
  }, 90_000);
});
