// Resource allocation benchmark (the seed's): allocations per second and POST latency (p50, p99)
// through the coordinator on 3 peers, with 10 concurrent requesters each allocating and releasing
// in a loop against the peers in turn. Bounded in count and time; loopback only, mDNS off.
//   node dist/scripts/bench/allocations.js [--requesters 10] [--allocations 1000] [--seconds 60]
import '../../src/polyfill.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, getJson, startPeerProcess, waitFor, type PeerProcess } from '../lib/peer-process.js';

const { values } = parseArgs({ options: { requesters: { type: 'string', default: '10' }, allocations: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '60' } } });
const REQUESTERS = Number(values.requesters);
const TOTAL = Number(values.allocations);
const LIMIT_MS = Number(values.seconds) * 1000;

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mcpdt-bench-alloc-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const config = join(dir, 'pool.yaml');
  // Room for every requester at once, so latency measures the protocol, not waiting for room.
  await writeFile(config, 'resources: { custom: { slots: 100 } }\n');
  const peers: PeerProcess[] = [];
  try {
    await Promise.all(
      [0, 1, 2].map(async (i) => {
        peers[i] = await startPeerProcess({
          dataDir: join(dir, `peer-${i}`),
          p2pPort: ports[i]!,
          bootstrap: ports.filter((_, j) => j !== i).map((p) => `127.0.0.1:${p}`),
          logLevel: 'warn',
          args: ['--config', config],
        });
      }),
    );
    const coordinator = await waitFor(
      async () => {
        const hs = await Promise.all(peers.map((p) => getJson<{ coordinator: string | null; members: number }>(`${p.httpUrl}/api/health`)));
        const c = hs[0]!.coordinator;
        return c && hs.every((h) => h.coordinator === c && h.members === 3) ? c : undefined;
      },
      30_000,
      'one coordinator',
    );
    await waitFor(async () => (await getJson<{ total_nodes: number }>(`${peers[0]!.httpUrl}/api/resources`)).total_nodes === 3, 15_000, 'pool of 3');
    // Warm the path (and the coordinator's takeover of the table) before measuring.
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${peers[i % 3]!.httpUrl}/api/allocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resources: [{ type: 'slots', amount: 1 }], timeout: 5 }) });
      const body = (await r.json()) as { allocation: { allocation_id: string } };
      await fetch(`${peers[0]!.httpUrl}/api/allocations/${body.allocation.allocation_id}`, { method: 'DELETE' });
    }

    const latencies: number[] = [];
    let issued = 0;
    let refused = 0;
    let failed = 0;
    const started = performance.now();
    const requester = async (r: number) => {
      for (;;) {
        if (issued >= TOTAL || performance.now() - started > LIMIT_MS) return;
        const n = issued++;
        const peer = peers[(r + n) % 3]!;
        const t0 = performance.now();
        const response = await fetch(`${peer.httpUrl}/api/allocations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ requester_id: `r${r}`, resources: [{ type: 'slots', amount: 1 }, { type: 'cpu', amount: 0.01 }], timeout: 5 }),
        });
        const body = (await response.json()) as { allocation?: { allocation_id: string } };
        if (response.status === 201) {
          latencies.push(performance.now() - t0);
          await fetch(`${peer.httpUrl}/api/allocations/${body.allocation!.allocation_id}`, { method: 'DELETE' });
        } else if (response.status === 409) refused++;
        else failed++;
      }
    };
    await Promise.all(Array.from({ length: REQUESTERS }, (_, r) => requester(r)));
    const seconds = (performance.now() - started) / 1000;
    console.log(
      JSON.stringify(
        {
          peers: 3,
          requesters: REQUESTERS,
          coordinator,
          granted: latencies.length,
          refused,
          failed,
          seconds: Math.round(seconds * 100) / 100,
          // Each loop allocates then releases: both go through the coordinator.
          allocations_per_s: Math.round((latencies.length / seconds) * 10) / 10,
          p50_ms: Math.round(percentile(latencies, 50) * 10) / 10,
          p99_ms: Math.round(percentile(latencies, 99) * 10) / 10,
          max_ms: Math.round(Math.max(...latencies) * 10) / 10,
        },
        null,
        2,
      ),
    );
  } finally {
    await Promise.all(peers.filter(Boolean).map((p) => p.kill('SIGKILL')));
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
