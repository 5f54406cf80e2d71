// The first run of a fresh peer: how late its first request is against the execution's agreed start,
// and the peer's memory before and after. Load workers are booted by the first run since issue 15
// (before, at the peer's start): the second run, whose workers are up, is how every run started before,
// so the two side by side show what the lazy boot costs the first. A one-peer cluster, a 2 s plan at
// 200 req/s against a counting target; each repetition a fresh peer; roots interleaved.
//   node dist/scripts/bench/first-run.js [--reps 3] [--root DIR]   (DIR: another checkout, built)
import '../../src/polyfill.js';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startCountingTarget } from '../../test/support/counting-target.js';
import { getJson, PEER_JS, startPeerProcess, waitFor } from '../lib/peer-process.js';
import { median } from './measure.js';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '3' }, root: { type: 'string', multiple: true } } });
const reps = Math.max(1, Math.min(10, Number(values.reps)));
const roots = [PEER_JS, ...(values.root ?? []).map((r) => join(resolve(r), 'peer.js'))];
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

interface Figures {
  lateMs: number;
  secondLateMs: number;
  rssBefore: number;
  rssAfter: number;
  count: number;
}

async function once(peerJs: string): Promise<Figures> {
  const dir = await mkdtemp(join(tmpdir(), 'mcpdt-bench-first-'));
  const target = await startCountingTarget();
  const peer = await startPeerProcess({ dataDir: join(dir, 'p'), peerJs, logLevel: 'warn', startTimeoutMs: 60_000 });
  try {
    await waitFor(async () => ((await getJson<{ coordinator: string | null }>(`${peer.httpUrl}/api/health`)).coordinator ? true : undefined), 60_000, 'a coordinator', 100);
    await new Promise((r) => setTimeout(r, 2_000)); // at rest
    const rssBefore = rssMb(peer.child.pid!);
    const first = await execution(peer.httpUrl, target);
    target.reset();
    const second = await execution(peer.httpUrl, target);
    return { lateMs: first, secondLateMs: second, rssBefore, rssAfter: rssMb(peer.child.pid!), count: target.count() };
  } finally {
    await peer.kill('SIGKILL');
    await target.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs one execution; how late its first request was against its agreed start (ms). */
async function execution(httpUrl: string, target: Awaited<ReturnType<typeof startCountingTarget>>): Promise<number> {
  {
    const plan = { name: 'first', tasks: [{ type: 'load_test', parameters: { targets: [{ url: `${target.url}/` }], duration: 2, base_rps: 200 } }] };
    const submitted = await fetch(`${httpUrl}/api/executions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan) });
    const { execution_id: id } = (await submitted.json()) as { execution_id: string };
    const doc = await waitFor(
      async () => ((e) => (['completed', 'failed', 'cancelled'].includes(e.status) ? e : undefined))(await getJson<{ status: string; start_at: string | null }>(`${httpUrl}/api/executions/${id}`)),
      30_000,
      'the execution to end',
      200,
    );
    // Arrival k of an open run at R req/s is due k/R after the start: the first at 5 ms.
    return target.arrivals()[0]! - (Date.parse(String(doc.start_at)) + 1_000 / 200);
  }
}

const results = new Map<string, Figures[]>(roots.map((r) => [r, []]));
for (let i = 0; i < reps; i++) for (const root of roots) results.get(root)!.push(await once(root));
console.log(`first run of a fresh one-peer cluster, 2 s at 200 req/s; medians of ${reps}`);
console.log(`${'peer.js'.padEnd(36)}${'1st run late ms'.padStart(16)}${'2nd run late ms'.padStart(16)}${'RSS at rest MB'.padStart(16)}${'after MB'.padStart(10)}  requests of the 2nd`);
for (const [root, fs] of results) {
  console.log(`${root.padEnd(36)}${median(fs.map((f) => f.lateMs)).toFixed(1).padStart(16)}${median(fs.map((f) => f.secondLateMs)).toFixed(1).padStart(16)}${median(fs.map((f) => f.rssBefore)).toFixed(0).padStart(16)}${median(fs.map((f) => f.rssAfter)).toFixed(0).padStart(10)}  ${fs.map((f) => f.count).join(' ')}`);
}
process.exit(0);
