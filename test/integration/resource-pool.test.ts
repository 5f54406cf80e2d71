// The resource pool on 3 real peers with different custom resources: grants within capacity, 409 with
// the shortfall beyond it, release by DELETE, by ttl and when the holder dies, and the table survives
// a coordinator kill.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { LocalCluster } from '../support/cluster.js';

interface Allocation { allocation_id: string; holder: string; placement: Record<string, Record<string, number>> }
interface Pool { total_nodes: number; aggregate_utilization: Record<string, { total_capacity: number; allocated: number; available_capacity: number }>; nodes: Record<string, Record<string, { total_capacity: number; allocated: number }>>; active_allocations: number }

async function allocate(peer: PeerProcess, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${peer.httpUrl}/api/allocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}
const pool = (peer: PeerProcess) => getJson<Pool>(`${peer.httpUrl}/api/resources`);

describe('resource pool on 3 real peers', () => {
  let cluster: LocalCluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('allocates globally through the coordinator, refuses with the shortfall, releases, and survives a coordinator kill', async () => {
    cluster = await LocalCluster.create(3);
    const configs = [
      'resources: { cpu_cores: 4, custom: { gpu: 1, licenses: 5 } }',
      'resources: { cpu_cores: 2, custom: { gpu: 2 } }',
      'resources: { cpu_cores: 2 }',
    ];
    await Promise.all(
      configs.map(async (c, i) => {
        const file = join(cluster!.dir, `pool-${i}.yaml`);
        await writeFile(file, `${c}\nresource_management: { monitoring_interval: 0.5, cleanup_interval: 0.5 }\n`);
        return cluster!.restart(i, {}, ['--config', file]);
      }),
    );
    const coordinator = await cluster.waitForCoordinator();
    const others = cluster.alive().filter((p) => p.id !== coordinator.id);
    const [asker, other] = others as [PeerProcess, PeerProcess];

    // Every peer's capacity is known, custom resources under their own names; the coordinator, which
    // decides every allocation, knows all three too (each peer learns the others' capacity on its own).
    const status = await waitFor(async () => {
      const s = await pool(asker);
      return s.total_nodes === 3 ? s : undefined;
    }, 10_000, 'three nodes in the pool');
    await waitFor(async () => (await pool(coordinator)).aggregate_utilization.gpu?.total_capacity === 3 || undefined, 10_000, "every gpu in the coordinator's pool");
    expect(status.aggregate_utilization.gpu).toMatchObject({ total_capacity: 3, allocated: 0, available_capacity: 3 });
    expect(status.aggregate_utilization.licenses!.total_capacity).toBe(5);
    expect(status.aggregate_utilization.cpu!.total_capacity).toBe(8);
    expect(status.aggregate_utilization.memory!.total_capacity).toBeGreaterThan(0);

    // Within capacity: granted (a gpu request split over nodes when no single one has 3).
    const gpus = await allocate(asker, { allocation_id: 'gpus', requester_id: 'suite', resources: [{ type: 'gpu', amount: 3 }] });
    expect(gpus.status, JSON.stringify(gpus.json)).toBe(201);
    expect(Object.values(gpus.json.allocation.placement as Allocation['placement']).reduce((s, p) => s + (p.gpu ?? 0), 0)).toBe(3);
    const lic = await allocate(other, { allocation_id: 'lic', resources: [{ type: 'licenses', amount: 2 }, { type: 'memory', amount: 1, unit: 'GiB' }], ttl: 1.5 });
    expect(lic.status).toBe(201);

    // Beyond it: 409 with what was missing.
    const more = await allocate(asker, { resources: [{ type: 'gpu', amount: 1 }, { type: 'cpu', amount: 2 }], timeout: 0.5 });
    expect(more.status).toBe(409);
    expect(more.json.error.code).toBe('RESOURCES_INSUFFICIENT');
    expect(more.json.error.details.shortfall).toEqual([{ type: 'gpu', unit: 'units', requested: 1, available: 0, missing: 1 }]);
    const huge = await allocate(asker, { resources: [{ type: 'cpu', amount: 100 }] });
    expect(huge.status).toBe(409);
    expect(huge.json.error.message).toMatch(/more than the whole cluster has/);

    // Bad input names the field.
    const bad = await allocate(asker, { resources: [{ type: 'memory', amount: 1, unit: 'cores' }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details).toEqual([{ path: 'resources[0].unit', message: 'cores is not a unit of memory (bytes)' }]);

    // The ttl releases `lic` by itself.
    await waitFor(async () => (await pool(other)).aggregate_utilization.licenses!.allocated === 0, 10_000, 'ttl expiry');

    // DELETE releases; a second DELETE is 404.
    const taken = await allocate(other, { allocation_id: 'cpu1', resources: [{ type: 'cpu', amount: 1 }] });
    expect(taken.status).toBe(201);
    const del = await fetch(`${asker.httpUrl}/api/allocations/cpu1`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect((await fetch(`${asker.httpUrl}/api/allocations/cpu1`, { method: 'DELETE' })).status).toBe(404);

    // Kill the coordinator: the next one holds the same table, and frees what sat on the dead node.
    const gpuOnDead = (gpus.json.allocation.placement[coordinator.id]?.gpu ?? 0) > 0;
    const deadGpus = (await pool(asker)).nodes[coordinator.id]?.gpu?.total_capacity ?? 0;
    expect((await pool(asker)).aggregate_utilization.gpu!.allocated).toBe(3);
    await coordinator.kill('SIGKILL');
    await cluster.waitForCoordinator(30_000, coordinator.id);
    const after = await waitFor(async () => {
      const s = await pool(asker);
      return s.total_nodes === 2 ? s : undefined;
    }, 10_000, 'dead node out of the pool');
    expect(after.aggregate_utilization.gpu!.total_capacity).toBe(3 - deadGpus);
    const again = await allocate(asker, { allocation_id: 'gpus', resources: [{ type: 'gpu', amount: 3 }], timeout: 0 });
    if (gpuOnDead) {
      // Part of it sat on the dead node: it was released, and 3 gpus no longer exist.
      expect(again.status).toBe(409);
    } else {
      // The retried id is answered with the allocation the old coordinator granted.
      expect(again.status).toBe(201);
      expect(again.json.allocation.placement).toEqual(gpus.json.allocation.placement);
      expect(after.aggregate_utilization.gpu!.allocated).toBe(3);
    }

    // The old coordinator comes back (the quorum needs 2 of 3 below).
    const coordinatorIndex = cluster.peers.indexOf(coordinator);
    await cluster.restart(coordinatorIndex, {}, ['--config', join(cluster.dir, `pool-${coordinatorIndex}.yaml`)]);
    await cluster.waitForCoordinator(30_000);

    // The holder dies: its allocations go with it.
    const held = await allocate(other, { allocation_id: 'held', resources: [{ type: 'licenses', amount: 1 }] });
    expect(held.status).toBe(201);
    await other.kill('SIGKILL');
    await waitFor(async () => (await getJson<{ allocations: Allocation[] }>(`${asker.httpUrl}/api/allocations`)).allocations.every((a) => a.allocation_id !== 'held'), 15_000, 'held released');
  }, 120_000);
});
