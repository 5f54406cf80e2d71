// Read benchmark: `GET /api/executions/{id}` of a finished execution run by 3 real peers on 127.0.0.1
// (static bootstrap, mDNS off) against a local target at a modest rate. Times the route on a replica and
// on the coordinator over HTTP, then, on a copy of the replica's SQLite file, the read itself as it is now
// (cached merged results, stored final report) against the former read (every stored delta read, decoded
// and summed per node on every GET; for a running execution, merged again too).
// While the run goes on, the first half is left alone and the second half is polled 10 times a second on a
// replica: the GETs' latency, and the arrivals at the target in 10 ms bins, quiet half against polled half.
//   node dist/scripts/bench/execution-read.js [--duration 30] [--rps 1000] [--reads 500] [--poll-hz 10] [--cpu-prof DIR]
// (--cpu-prof: each peer writes V8 CPU profiles, one per thread, into DIR/peer-N when it stops)
import '../../src/polyfill.js';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { freePort, getJson, startPeerProcess, waitFor, type PeerProcess } from '../lib/peer-process.js';
import { Store, STORE_FILE } from '../../src/store/store.js';
import type { ResultsDelta } from '../../src/stats/index.js';
import { ResultsCache } from '../../actors/coordinator/replication/results-cache.js';
import { mergedResults, reportFor } from '../../src/execution/view.js';
import type { ExecutionDoc } from '../../src/execution/contract.js';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '30' }, rps: { type: 'string', default: '1000' }, reads: { type: 'string', default: '500' }, 'poll-hz': { type: 'string', default: '10' }, 'cpu-prof': { type: 'string' } } });
const DURATION_S = Number(values.duration);
const RPS = Number(values.rps);
const READS = Number(values.reads);
const POLL_HZ = Number(values['poll-hz']);
const BIN_MS = 10;

/** Largest bin over the mean, and the share of empty bins, of the arrivals in [from, to) ms. */
function binFigures(arrivals: readonly number[], from: number, to: number): { mean: number; largest: number; ratio: number; empty: number } {
  const bins = new Array<number>(Math.max(1, Math.floor((to - from) / BIN_MS))).fill(0);
  for (const t of arrivals) {
    const i = Math.floor((t - from) / BIN_MS);
    if (i >= 0 && i < bins.length) bins[i]!++;
  }
  const mean = bins.reduce((a, b) => a + b, 0) / bins.length;
  const largest = Math.max(...bins);
  return { mean, largest, ratio: mean > 0 ? largest / mean : 0, empty: bins.filter((b) => b === 0).length / bins.length };
}

/**
 * One GET on a kept-alive connection, timed from the call to the last byte of the body. undici's
 * `request`, not `fetch`: fetch's own JavaScript (WHATWG streams, headers objects) cost about a
 * millisecond per call here, which is the client's time, not the route's.
 */
async function get(url: string): Promise<{ status: number; bytes: number; ms: number }> {
  const t0 = performance.now();
  const res = await request(url);
  const body = await res.body.arrayBuffer();
  return { status: res.statusCode, bytes: body.byteLength, ms: performance.now() - t0 };
}

async function timedGet(url: string): Promise<number> {
  return (await get(url)).ms;
}

/**
 * GETs of `url` at `hz` until `until` (performance.now()), each timed, each paired with a GET of `floorUrl`
 * (a route that does next to nothing: what the machine's load alone costs). The pair's order alternates:
 * the first request after an idle 100 ms pays for waking both processes up, the second finds them awake.
 */
async function poll(url: string, floorUrl: string, hz: number, until: number): Promise<{ reads: number[]; floor: number[]; readsFirst: number[]; floorFirst: number[] }> {
  const reads: number[] = [];
  const floor: number[] = [];
  const readsFirst: number[] = [];
  const floorFirst: number[] = [];
  let next = performance.now();
  for (let i = 0; next < until; i++) {
    if (i % 2 === 0) {
      readsFirst.push(await timedGet(url));
      floor.push(await timedGet(floorUrl));
      reads.push(readsFirst.at(-1)!);
    } else {
      floorFirst.push(await timedGet(floorUrl));
      reads.push(await timedGet(url));
      floor.push(floorFirst.at(-1)!);
    }
    next += 1_000 / hz;
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return { reads, floor, readsFirst, floorFirst };
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};
const row = (name: string, xs: number[]) =>
  `${name.padEnd(44)} n=${String(xs.length).padEnd(5)} p50 ${percentile(xs, 50).toFixed(3).padStart(9)} ms   p99 ${percentile(xs, 99).toFixed(3).padStart(9)} ms`;

function timeEach(n: number, fn: () => unknown): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

let bodyBytes = 0;
async function timeHttp(url: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await get(url);
    bodyBytes = res.bytes;
    out.push(res.ms);
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  }
  return out;
}

/** The read as the route did it before: the stored document, then every stored delta decoded and summed per node. */
function formerRead(store: Store, id: string, now: number, asRunning: boolean): string {
  const doc = store.getExecution(id)!.doc as ExecutionDoc;
  const deltas = store.deltas(id);
  const sent: Record<string, number> = {};
  for (const { run_id, delta } of deltas) sent[run_id.split(':').at(-1)!] = (sent[run_id.split(':').at(-1)!] ?? 0) + (delta as ResultsDelta).totals.requests;
  const report = !asRunning && doc.report ? doc.report : reportFor(doc, mergedResults(doc, deltas), now);
  return JSON.stringify({ doc, sent, report });
}

function currentRead(cache: ResultsCache, id: string, now: number): string {
  const view = cache.view(id, now)!;
  return JSON.stringify({ doc: view.doc, sent: view.requestsByNode, report: view.report });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mcpdt-bench-read-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const peers: PeerProcess[] = [];
  let received = 0;
  const arrivals: number[] = [];
  const target = createServer((_, res) => {
    received++;
    arrivals.push(performance.now());
    res.end('ok');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(target.address() as { port: number }).port}/`;
  try {
    await Promise.all(
      [0, 1, 2].map(
        async (i) =>
          (peers[i] = await startPeerProcess({
            dataDir: join(dir, `peer-${i}`),
            p2pPort: ports[i]!,
            bootstrap: ports.filter((_, j) => j !== i).map((p) => `127.0.0.1:${p}`),
            logLevel: 'warn',
            ...(values['cpu-prof'] ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', join(values['cpu-prof'], `peer-${i}`)] } : {}),
          })),
      ),
    );
    const coordinatorId = await waitFor(
      async () => {
        const hs = await Promise.all(peers.map((p) => getJson<{ coordinator: string | null; members: number }>(`${p.httpUrl}/api/health`)));
        const c = hs[0]!.coordinator;
        return c && hs.every((h) => h.coordinator === c && h.members === 3) ? c : undefined;
      },
      20_000,
      'one coordinator',
    );
    const coordinator = peers.find((p) => p.id === coordinatorId)!;
    const replicaIndex = peers.findIndex((p) => p.id !== coordinatorId);
    const replica = peers[replicaIndex]!;

    const plan = { name: 'read-bench', tasks: [{ type: 'load_test', parameters: { targets: [{ url }], duration: DURATION_S, base_rps: RPS } }] };
    const res = await fetch(`${replica.httpUrl}/api/executions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan) });
    const { execution_id: id } = (await res.json()) as { execution_id: string };
    console.log(`execution ${id}: ${DURATION_S} s at ${RPS} req/s on 3 peers; reads on peer-${replicaIndex}`);
    await waitFor(async () => (arrivals.length > 0 ? true : undefined), 20_000, 'the first request', 5);
    const firstArrival = arrivals[0]!;
    const half = (DURATION_S * 1_000) / 2;
    // Quiet half: [1 s, half); polled half: [half + 1 s, end - 1 s).
    await new Promise((r) => setTimeout(r, Math.max(0, firstArrival + half - performance.now())));
    const { reads: during, floor, readsFirst, floorFirst } = await poll(`${replica.httpUrl}/api/executions/${id}`, `${replica.httpUrl}/health`, POLL_HZ, firstArrival + DURATION_S * 1_000 - 1_000);
    const quiet = binFigures(arrivals, firstArrival + 1_000, firstArrival + half);
    const polled = binFigures(arrivals, firstArrival + half + 1_000, firstArrival + DURATION_S * 1_000 - 1_000);
    let last = '';
    const done = await waitFor(
      async () => {
        const e = await getJson<{ status: string; error: unknown; nodes: unknown; report: { summary: { total_requests: number } } }>(`${replica.httpUrl}/api/executions/${id}`);
        last = JSON.stringify({ status: e.status, error: e.error, nodes: e.nodes });
        return e.status === 'completed' ? e : e.status === 'failed' || e.status === 'cancelled' ? Promise.reject(new Error(`execution ended ${last}`)) : undefined;
      },
      (DURATION_S + 30) * 1_000,
      `the execution to complete (last seen: ${last})`,
      1_000,
    );
    console.log(`completed: ${done.report.summary.total_requests} requests reported, ${received} received by the target`);
    await new Promise((r) => setTimeout(r, 1_000));

    const onReplica = await timeHttp(`${replica.httpUrl}/api/executions/${id}`, READS);
    const onCoordinator = await timeHttp(`${coordinator.httpUrl}/api/executions/${id}`, READS);
    const loadDuringHttp = loadavg()[0]!;
    const cpus = availableParallelism();

    await Promise.all(peers.map((p) => p.kill('SIGTERM')));
    const copyDir = join(dir, 'copy');
    Store.open(copyDir).close(); // creates the folder
    for (const suffix of ['', '-wal']) {
      const from = join(dir, `peer-${replicaIndex}`, STORE_FILE + suffix);
      if (existsSync(from)) await copyFile(from, join(copyDir, STORE_FILE + suffix));
    }
    const copy = Store.open(copyDir);
    const deltas = copy.deltas(id).length;
    const now = Date.now();
    const inProcessReads = Math.min(READS, 100);
    const former = timeEach(inProcessReads, () => formerRead(copy, id, now, false));
    const cache = new ResultsCache(copy);
    const firstCurrent = timeEach(1, () => currentRead(cache, id, now));
    const current = timeEach(inProcessReads, () => currentRead(cache, id, now));
    // The same execution read as if still running: merged again from every delta, against cached merged results.
    const formerRunning = timeEach(Math.min(inProcessReads, 20), () => formerRead(copy, id, now, true));
    const doc = copy.getExecution(id)!.doc as ExecutionDoc;
    const running = { ...doc, status: 'running' as const, finished_at: null, report: undefined };
    cache.results(running);
    const currentRunning = timeEach(Math.min(inProcessReads, 20), () => JSON.stringify(cache.report(running, now)));
    // What a read during a run pays once per delta that arrived since the last one: the report built again.
    const rebuilt = timeEach(Math.min(inProcessReads, 20), () => reportFor(running, cache.results(running), now));
    copy.close();

    console.log(`stored deltas of the execution: ${deltas}; response body ${bodyBytes} bytes; load average while reading over HTTP: ${loadDuringHttp.toFixed(1)} (${cpus} cores)`);
    console.log(row(`GET execution during the run, ${POLL_HZ}/s`, during));
    console.log(row(`GET /health paired with each (the floor)`, floor));
    console.log(row(`  GET execution, first of its pair`, readsFirst));
    console.log(row(`  GET /health, first of its pair`, floorFirst));
    const bins = (name: string, b: ReturnType<typeof binFigures>) =>
      `${name.padEnd(44)} mean ${b.mean.toFixed(2)} per ${BIN_MS} ms, largest ${b.largest} (${b.ratio.toFixed(2)}x the mean), ${(b.empty * 100).toFixed(1)} % empty`;
    console.log(bins('arrivals, quiet half', quiet));
    console.log(bins(`arrivals, half polled ${POLL_HZ}/s`, polled));
    console.log(`polled / quiet largest-bin ratio: ${(polled.ratio / Math.max(quiet.ratio, 1e-9)).toFixed(2)}`);
    console.log(row('GET over HTTP, on a replica', onReplica));
    console.log(row('GET over HTTP, on the coordinator', onCoordinator));
    console.log(row('read in process, now (finished)', current));
    console.log(row('read in process, now, first (cache miss)', firstCurrent));
    console.log(row('read in process, former (finished)', former));
    console.log(row('read in process, now (as if running)', currentRunning));
    console.log(row('read in process, former (as if running)', formerRunning));
    console.log(row('report built again after a delta (as if running)', rebuilt));
    const ratio = (a: number[], b: number[]) => (percentile(a, 50) / percentile(b, 50)).toFixed(1);
    console.log(`former / now at p50: finished ${ratio(former, current)}x, running ${ratio(formerRunning, currentRunning)}x`);
    console.log(
      JSON.stringify({
        duration_s: DURATION_S,
        rps: RPS,
        deltas,
        load_average: loadDuringHttp,
        during_run_ms: { p50: percentile(during, 50), p99: percentile(during, 99), n: during.length },
        floor_during_run_ms: { p50: percentile(floor, 50), p99: percentile(floor, 99) },
        first_of_pair_ms: { read_p50: percentile(readsFirst, 50), floor_p50: percentile(floorFirst, 50) },
        arrivals_quiet: quiet,
        arrivals_polled: polled,
        http_replica_ms: { p50: percentile(onReplica, 50), p99: percentile(onReplica, 99) },
        http_coordinator_ms: { p50: percentile(onCoordinator, 50), p99: percentile(onCoordinator, 99) },
        in_process_finished_ms: { now_p50: percentile(current, 50), former_p50: percentile(former, 50) },
        in_process_running_ms: { now_p50: percentile(currentRunning, 50), former_p50: percentile(formerRunning, 50), rebuilt_p50: percentile(rebuilt, 50) },
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
