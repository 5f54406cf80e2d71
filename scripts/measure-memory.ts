// Bounded memory: runs N small executions one after another on one real peer against a local target,
// and prints the peer's resident memory before, every 100 executions, and after (the bound: within 50 MB
// of where it started). Usage: node dist/scripts/measure-memory.js [executions=1000]
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getJson, startPeerProcess, waitFor } from './lib/peer-process.js';

const count = Number(process.argv[2] ?? 1000);
const BOUND_MB = 50;

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const target = createServer((_req, res) => res.end('ok'));
await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
const dataDir = await mkdtemp(join(tmpdir(), 'mcp-memory-'));
const peer = await startPeerProcess({ dataDir });
try {
  await waitFor(async () => (await getJson<{ coordinator?: string | null }>(`${peer.httpUrl}/api/health`).catch(() => undefined))?.coordinator, 15_000, 'a coordinator');
  const plan = { name: 'small', tasks: [{ type: 'load_test', parameters: { targets: [{ url }], duration: 0.2, base_rps: 50 } }] };
  const run = async () => {
    const response = await fetch(`${peer.httpUrl}/api/executions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan) });
    const { execution_id } = (await response.json()) as { execution_id: string };
    await waitFor(async () => ['completed', 'failed', 'cancelled'].includes((await getJson<{ status: string }>(`${peer.httpUrl}/api/executions/${execution_id}`)).status), 30_000, execution_id, 50);
  };
  // A few first, so that start-up allocations (JIT, pools) are in the baseline.
  for (let i = 0; i < 5; i++) await run();
  global.gc?.();
  const start = await rssMb(peer.child.pid!);
  console.log(`start: ${start.toFixed(1)} MB`);
  for (let i = 1; i <= count; i++) {
    await run();
    if (i % 100 === 0 || i === count) console.log(`after ${i}: ${(await rssMb(peer.child.pid!)).toFixed(1)} MB`);
  }
  const end = await rssMb(peer.child.pid!);
  const grew = end - start;
  console.log(`grew ${grew.toFixed(1)} MB over ${count} executions (bound ${BOUND_MB} MB): ${grew <= BOUND_MB ? 'OK' : 'OVER'}`);
  process.exitCode = grew <= BOUND_MB ? 0 : 1;
} finally {
  await peer.kill('SIGTERM');
  target.close();
  await rm(dataDir, { recursive: true, force: true });
}
