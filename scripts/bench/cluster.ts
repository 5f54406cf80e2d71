// Cluster benchmark: assignment round trip (p50, p99) over many executions, and the time from a
// coordinator's kill -9 to the next coordinator in office, over repeated tries. 3 peers on 127.0.0.1,
// static bootstrap, mDNS off; every load is tiny and bounded.
//   node dist/scripts/bench/cluster.js [--executions 30] [--failovers 10]
import '../../src/polyfill.js';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, getJson, startPeerProcess, waitFor, type PeerProcess } from '../lib/peer-process.js';

const { values } = parseArgs({ options: { executions: { type: 'string', default: '30' }, failovers: { type: 'string', default: '10' } } });
const EXECUTIONS = Number(values.executions);
const FAILOVERS = Number(values.failovers);

interface Health {
  coordinator: string | null;
  term: number | null;
  members: number;
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mcpdt-bench-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const peers: PeerProcess[] = [];
  const start = async (i: number) =>
    (peers[i] = await startPeerProcess({
      dataDir: join(dir, `peer-${i}`),
      p2pPort: ports[i]!,
      bootstrap: ports.filter((_, j) => j !== i).map((p) => `127.0.0.1:${p}`),
      logLevel: 'warn',
    }));
  const target = createServer((_, res) => res.end('ok'));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(target.address() as { port: number }).port}/`;
  const agreed = async (not?: string) =>
    waitFor(
      async () => {
        const hs = await Promise.all(peers.map((p) => getJson<Health>(`${p.httpUrl}/api/health`)));
        const c = hs[0]!.coordinator;
        return c && c !== not && hs.every((h) => h.coordinator === c && h.members === 3) ? c : undefined;
      },
      20_000,
      'one coordinator',
      20,
    );
  try {
    await Promise.all([0, 1, 2].map(start));
    await agreed();

    // 1. Assignment round trips: tiny executions, one after another.
    const rtts: number[] = [];
    for (let i = 0; i < EXECUTIONS; i++) {
      const entry = peers[i % 3]!;
      const plan = { name: `rtt-${i}`, tasks: [{ type: 'load_test', parameters: { targets: [{ url }], duration: 0.3, base_rps: 30 } }] };
      const res = await fetch(`${entry.httpUrl}/api/executions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan) });
      const { execution_id } = (await res.json()) as { execution_id: string };
      const done = await waitFor(
        async () => {
          const e = await getJson<{ status: string; nodes: { assign_rtt_ms: number | null }[] }>(`${entry.httpUrl}/api/executions/${execution_id}`);
          return e.status === 'completed' ? e : undefined;
        },
        15_000,
        'execution to complete',
        50,
      );
      for (const n of done.nodes) if (n.assign_rtt_ms !== null) rtts.push(n.assign_rtt_ms);
    }

    // 2. Failover: kill -9 the coordinator, time until a survivor names its successor.
    const failovers: number[] = [];
    for (let i = 0; i < FAILOVERS; i++) {
      const old = await agreed();
      const index = peers.findIndex((p) => p.id === old);
      const survivors = peers.filter((_, j) => j !== index);
      await peers[index]!.kill('SIGKILL');
      const killedAt = performance.now();
      await waitFor(
        async () => {
          const hs = await Promise.all(survivors.map((p) => getJson<Health>(`${p.httpUrl}/api/health`)));
          return hs.some((h) => h.coordinator && h.coordinator !== old);
        },
        10_000,
        'a new coordinator',
        10,
      );
      failovers.push(performance.now() - killedAt);
      await start(index);
      await agreed();
    }

    const row = (name: string, xs: number[]) => `${name.padEnd(32)} n=${String(xs.length).padEnd(4)} p50 ${percentile(xs, 50).toFixed(2).padStart(8)} ms   p99 ${percentile(xs, 99).toFixed(2).padStart(8)} ms   max ${Math.max(...xs).toFixed(2).padStart(8)} ms`;
    console.log(row('assignment round trip', rtts));
    console.log(row('failover (kill -9 → successor)', failovers));
    console.log(
      JSON.stringify({
        assignment_rtt_ms: { p50: percentile(rtts, 50), p99: percentile(rtts, 99), n: rtts.length },
        failover_ms: { p50: percentile(failovers, 50), p99: percentile(failovers, 99), max: Math.max(...failovers), tries: failovers },
      }),
    );
  } finally {
    await Promise.all(peers.map((p) => p?.kill('SIGKILL')));
    target.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
