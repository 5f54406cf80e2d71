// Bounded memory (issue 9): runs N small executions one after another on one real peer against a local
// target and checks that the peer ends within 50 MB of where it started. Every figure is taken after full
// garbage collections (forced through the peer's inspector), RSS and V8 heap both; the goal is on RSS.
// Usage: node dist/scripts/measure-memory.js [executions=1000] [--every 100] [--snapshots 200,600 --out DIR]
// (heap snapshots of the peer's main thread after those counts, to compare with dist/scripts/heap-diff.js).
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getJson, startPeerProcess, waitFor } from './lib/peer-process.js';
import { InspectorClient, inspectorUrl, type MemoryUsage } from './lib/inspector-client.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { every: { type: 'string', default: '100' }, snapshots: { type: 'string', default: '' }, out: { type: 'string', default: '.' } } });
const count = Number(positionals[0] ?? 1000);
const every = Number(values.every);
const snapshotsAt = new Set(values.snapshots.split(',').filter(Boolean).map(Number));
const BOUND_MB = 50;
const WARM_UP = 5;
const mb = (bytes: number) => bytes / 1048576;
const fmt = (u: MemoryUsage) => `rss ${mb(u.rss).toFixed(1)} MB, heap ${mb(u.heapUsed).toFixed(1)} MB, external ${mb(u.external).toFixed(1)} MB`;

const target = createServer((_req, res) => res.end('ok'));
await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
const dataDir = await mkdtemp(join(tmpdir(), 'mcp-memory-'));
const peer = await startPeerProcess({ dataDir, nodeArgs: ['--inspect=127.0.0.1:0'], logLevel: 'warn' });
let inspector: InspectorClient | undefined;
try {
  inspector = await InspectorClient.connect(await waitFor(() => inspectorUrl(peer.stderr()), 10_000, 'the inspector address'));
  const measure = async () => (await inspector!.collectGarbage(), inspector!.memoryUsage());
  await waitFor(async () => (await getJson<{ coordinator?: string | null }>(`${peer.httpUrl}/api/health`).catch(() => undefined))?.coordinator, 15_000, 'a coordinator');
  console.log(`peer started: ${fmt(await measure())}`);
  const plan = { name: 'small', tasks: [{ type: 'load_test', parameters: { targets: [{ url }], duration: 0.2, base_rps: 50 } }] };
  const run = async () => {
    const response = await fetch(`${peer.httpUrl}/api/executions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan) });
    const { execution_id } = (await response.json()) as { execution_id: string };
    await waitFor(async () => ['completed', 'failed', 'cancelled'].includes((await getJson<{ status: string }>(`${peer.httpUrl}/api/executions/${execution_id}`)).status), 30_000, execution_id, 50);
  };
  // A few first, so that first-use allocations (JIT, pools, prepared statements) are in the baseline.
  for (let i = 0; i < WARM_UP; i++) await run();
  const start = await measure();
  console.log(`start (after ${WARM_UP} executions): ${fmt(start)}`);
  if (snapshotsAt.size > 0) await mkdir(values.out, { recursive: true });
  const began = Date.now();
  for (let i = 1; i <= count; i++) {
    await run();
    if (i % every === 0 && i !== count) {
      const u = await measure();
      console.log(`after ${i}: ${fmt(u)} (rss ${(mb(u.rss - start.rss) >= 0 ? '+' : '')}${mb(u.rss - start.rss).toFixed(1)} MB, ${((Date.now() - began) / 1000).toFixed(0)} s)`);
    }
    if (snapshotsAt.has(i)) {
      const path = join(values.out, `peer-${i}.heapsnapshot`);
      await inspector.writeHeapSnapshot(path);
      console.log(`heap snapshot after ${i}: ${path}`);
    }
  }
  const end = await measure();
  const rssGrew = mb(end.rss - start.rss);
  const heapGrew = mb(end.heapUsed - start.heapUsed);
  const pass = rssGrew <= BOUND_MB;
  console.log(`after ${count}: ${fmt(end)}`);
  console.log(`goal: within ${BOUND_MB} MB of the start after ${count} executions (after GC): rss ${rssGrew >= 0 ? '+' : ''}${rssGrew.toFixed(1)} MB, heap ${heapGrew >= 0 ? '+' : ''}${heapGrew.toFixed(1)} MB: ${pass ? 'PASS' : 'FAIL'}`);
  process.exitCode = pass ? 0 : 1;
} finally {
  inspector?.close();
  await peer.kill('SIGTERM');
  target.close();
  await rm(dataDir, { recursive: true, force: true });
}
