// Anti-entropy on real peers: a peer stopped during an execution and restarted after it ended serves the
// final report within 10 s, although the execution does not change again (nothing is pushed to it).
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, waitFor } from '../../scripts/lib/peer-process.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { LocalCluster } from '../support/cluster.js';

interface ExecutionBody {
  status: string;
  term: number;
  start_at: string | null;
  finished_at: string | null;
  nodes: { node_id: string; state: string; total_requests: number }[];
  report: { status: string; summary: { total_requests: number } };
}


/**
 * What replication carries. Saturation is each peer's own view, read from the health probes it heard
 * during the run (a peer that was down heard none): it is left out of the comparison.
 */
function replicated<R>(report: R): R {
  const { saturation: _s, ...rest } = report as R & { saturation?: unknown; summary: Record<string, unknown> };
  const { saturated: _x, warnings: _w, ...summary } = (rest as { summary: Record<string, unknown> }).summary;
  return { ...rest, summary } as R;
}
function replicatedNode<N>(node: N): N {
  const { saturated: _a, saturation: _b, ...rest } = node as N & { saturated?: unknown; saturation?: unknown };
  return rest as N;
}

describe('replication on 3 real peers', () => {
  let cluster: LocalCluster | undefined;
  let target: CountingTarget | undefined;
  afterEach(async () => {
    await cluster?.close();
    await target?.close();
    cluster = target = undefined;
  });

  it('a peer stopped mid-run and restarted after the end answers with the final report within 10 s', async () => {
    target = await startCountingTarget();
    cluster = await LocalCluster.start(3);
    const coordinator = await cluster.waitForCoordinator();
    const plan = { name: 'catch-up', tasks: [{ type: 'load_test', parameters: { targets: [{ url: target.url }], duration: 4, base_rps: 200 } }] };
    const response = await fetch(`${coordinator.httpUrl}/api/executions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan) });
    const { execution_id: id } = (await response.json()) as { execution_id: string };
    expect(response.status).toBe(201);
    const read = (url: string) => getJson<ExecutionBody>(`${url}/api/executions/${id}`);

    const victim = cluster.alive().find((p) => p.id !== coordinator.id)!;
    const index = cluster.peers.indexOf(victim);
    await waitFor(async () => (await read(victim.httpUrl)).status === 'running', 10_000, 'the run to start on the victim');
    await new Promise((r) => setTimeout(r, 1_500));
    await victim.kill('SIGTERM');

    const final = await waitFor(
      async () => {
        const e = await read(coordinator.httpUrl);
        return e.status === 'completed' ? e : undefined;
      },
      30_000,
      'the execution to complete',
      200,
    );
    // Let the end settle everywhere it can reach, so that nothing changes after the restart.
    await new Promise((r) => setTimeout(r, 1_000));
    const settled = await read(coordinator.httpUrl);
    expect(replicated(settled.report)).toEqual(replicated(final.report));

    const restartedAt = Date.now();
    const again = await cluster.restart(index);
    const caughtUp = await waitFor(
      async () => {
        const e = await read(again.httpUrl).catch(() => undefined);
        return e?.status === 'completed' ? e : undefined;
      },
      10_000,
      'the restarted peer to serve the final report',
      100,
    );
    const tookMs = Date.now() - restartedAt;
    console.info(`restarted peer caught up in ${tookMs} ms (process start included)`);
    expect(tookMs).toBeLessThanOrEqual(10_000);
    expect(replicated(caughtUp.report)).toEqual(replicated(final.report));
    expect(caughtUp.term).toBe(final.term);
    // Per-node counts come with the deltas it missed, not only the document.
    await waitFor(
      async () => {
        const e = await read(again.httpUrl);
        return JSON.stringify(e.nodes.map(replicatedNode)) === JSON.stringify(settled.nodes.map(replicatedNode)) ? e : undefined;
      },
      Math.max(500, 10_000 - (Date.now() - restartedAt)),
      'the per-node counts to match the coordinator',
      100,
    );
    // Nothing was pushed: the execution's document did not change after the restart.
    const now = await read(coordinator.httpUrl);
    expect({ ...now, report: replicated(now.report), nodes: now.nodes.map(replicatedNode) }).toEqual({ ...settled, report: replicated(settled.report), nodes: settled.nodes.map(replicatedNode) });
  }, 90_000);
});
