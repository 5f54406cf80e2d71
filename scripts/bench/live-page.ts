// Live page benchmark: page weight (first load), CPU of the peer serving 10 open pages during a run
// (against the same run with no page open), and the delay from the peer seeing a delta to a page having
// drawn it. 3 peers on 127.0.0.1, real Chromium (Debian's chromium), a bounded run at a fixed rate.
//   node dist/scripts/bench/live-page.js [--pages 10] [--duration 20] [--rps 200] [--rounds 3]
import '../../src/polyfill.js';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { freePort, getJson, startPeerProcess, waitFor, type PeerProcess } from '../lib/peer-process.js';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '10' }, duration: { type: 'string', default: '20' }, rps: { type: 'string', default: '200' }, rounds: { type: 'string', default: '3' } } });
const ROUNDS = Number(values.rounds);
const PAGES = Number(values.pages);
const DURATION = Number(values.duration);
const RPS = Number(values.rps);
const TICK_S = 1 / 100; // USER_HZ on Linux

/** CPU seconds (user + system) of a process so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_S;
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mcpdt-bench-page-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const target = createServer((_, res) => res.end('ok'));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const targetUrl = `http://127.0.0.1:${(target.address() as { port: number }).port}/`;
  const peers: PeerProcess[] = await Promise.all(
    ports.map((port, i) => startPeerProcess({ dataDir: join(dir, `peer-${i}`), p2pPort: port, bootstrap: ports.filter((_, j) => j !== i).map((p) => `127.0.0.1:${p}`), logLevel: 'warn' })),
  );
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    await waitFor(async () => {
      const all = await Promise.all(peers.map((p) => getJson<{ coordinator: string | null; members: number }>(`${p.httpUrl}/api/health`)));
      return all.every((h) => h.coordinator && h.coordinator === all[0]!.coordinator && h.members === 3) || undefined;
    }, 20_000, 'a coordinator');
    // Pages on a peer that is not the coordinator: it sees deltas through replication, the longer path.
    const coordinator = (await getJson<{ coordinator: string }>(`${peers[0]!.httpUrl}/api/health`)).coordinator;
    const served = peers.find((p) => p.id !== coordinator)!;

    /** One run; CPU of the serving peer over its middle (a second trimmed at each end). */
    const run = async (pages: Page[]) => {
      const body = { name: `bench-${pages.length}`, tasks: [{ type: 'load_test', parameters: { targets: [{ url: targetUrl }], duration: DURATION, base_rps: RPS, pattern: 'constant' } }] };
      const res = await fetch(`${served.httpUrl}/api/executions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const { execution_id: id } = (await res.json()) as { execution_id: string };
      const started = await waitFor(async () => {
        const e = await getJson<{ status: string; start_at: string | null }>(`${served.httpUrl}/api/executions/${id}`);
        return e.start_at ? Date.parse(e.start_at) : undefined;
      }, 10_000, 'start');
      await new Promise((r) => setTimeout(r, Math.max(0, started + 1_000 - Date.now())));
      const cpu0 = cpuSeconds(served.child.pid!);
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, (DURATION - 2) * 1_000));
      const cpu = (cpuSeconds(served.child.pid!) - cpu0) / ((performance.now() - t0) / 1_000);
      // On a machine this loaded an execution can hang in the control plane (not the page's doing): cancel
      // it, say so, and keep the figure (the window measured was a running load all the same).
      await waitFor(async () => ['completed', 'failed', 'cancelled'].includes((await getJson<{ status: string }>(`${served.httpUrl}/api/executions/${id}`)).status) || undefined, 60_000, 'end', 200).catch(async () => {
        const e = await getJson<{ status: string; nodes: { node_id: string; state: string }[] }>(`${served.httpUrl}/api/executions/${id}`);
        console.error(`execution ${id} still ${e.status} a minute after its end (assignments: ${e.nodes.map((n) => n.state).join(', ')}); cancelling it`);
        await fetch(`${served.httpUrl}/api/executions/${id}`, { method: 'DELETE' });
      });
      return cpu;
    };

    // A context each: 10 viewers, 10 event streams (tabs of one browser would share one stream).
    const pages: Page[] = [];
    for (let i = 0; i < PAGES; i++) pages.push(await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage());
    // Page weight: every response of a first load in a fresh context, up to the first update drawn.
    let firstLoad = 0;
    const weighing = await (await browser.newContext()).newPage();
    weighing.on('response', (r) => void r.body().then((b) => (firstLoad += b.length)).catch(() => undefined));
    await weighing.goto(served.httpUrl, { waitUntil: 'load' });
    await weighing.waitForFunction('window.__mcp.updates > 0');
    await weighing.context().close();

    // Runs with no page and with the pages open, alternated so that the machine's drift hits both alike.
    const baseline: number[] = [];
    const withPages: number[] = [];
    const probes: { updates: number; delays: number[]; serverDelays: number[]; errors: string[] }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(pages.map((p) => p.goto('about:blank')));
      baseline.push(await run([]));
      await Promise.all(pages.map((p) => p.goto(served.httpUrl)));
      await Promise.all(pages.map((p) => p.waitForFunction('window.__mcp.updates > 0')));
      withPages.push(await run(pages));
      probes.push(...((await Promise.all(pages.map((p) => p.evaluate('window.__mcp')))) as typeof probes));
    }
    const delays = probes.flatMap((p) => p.delays);
    const serverDelays = probes.flatMap((p) => p.serverDelays);
    const median = (xs: number[]) => percentile(xs, 50);
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

    console.log(`page weight, first load (HTML, CSS, JS, uPlot; uncompressed): ${(firstLoad / 1024).toFixed(1)} KiB`);
    console.log(`CPU of the serving peer (not the coordinator) during ${DURATION} s runs at ${RPS} rps on 3 peers, ${ROUNDS} rounds: no page ${baseline.map(pct).join(', ')} (median ${pct(median(baseline))}); ${PAGES} pages ${withPages.map(pct).join(', ')} (median ${pct(median(withPages))}); difference of medians ${pct(median(withPages) - median(baseline))} of a core`);
    console.log(`updates per page: ${probes.map((p) => p.updates).join(', ')}; page errors: ${probes.flatMap((p) => p.errors).length}`);
    console.log(`delta seen by the peer → drawn on a page: p50 ${percentile(delays, 50)} ms, p95 ${percentile(delays, 95)} ms, max ${Math.max(...delays)} ms over ${delays.length} (plus the store poll: 0–100 ms)`);
    console.log(`  of which in the peer (seen → update sent): p50 ${percentile(serverDelays, 50)} ms, p95 ${percentile(serverDelays, 95)} ms`);
  } finally {
    await browser.close();
    await Promise.all(peers.map((p) => p.kill('SIGKILL')));
    target.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
