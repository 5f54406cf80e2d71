// MCP benchmark on 3 peers (127.0.0.1, static bootstrap, mDNS off) with the SDK's own client over /mcp
// (2026-07-28): time from start_test to the first request at the target, get_test latency, and the size
// of get_test's structuredContent for a long execution (compact, and with the per-second series).
//   node dist/scripts/bench/mcp.js [--runs 5] [--calls 100] [--duration 60]
import '../../src/polyfill.js';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { freePort, getJson, startPeerProcess, waitFor, type PeerProcess } from '../lib/peer-process.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, calls: { type: 'string', default: '100' }, duration: { type: 'string', default: '60' } } });
const RUNS = Number(values.runs);
const CALLS = Number(values.calls);
const DURATION = Number(values.duration);

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const ms = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mcpdt-bench-mcp-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const peers: PeerProcess[] = [];
  let firstArrival: number | undefined;
  const target = createServer((_, res) => {
    firstArrival ??= performance.now();
    res.end('ok');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(target.address() as { port: number }).port}/`;
  const client = new Client({ name: 'mcpdt-bench', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  try {
    await Promise.all(
      [0, 1, 2].map(async (i) => {
        peers[i] = await startPeerProcess({ dataDir: join(dir, `peer-${i}`), p2pPort: ports[i]!, bootstrap: ports.filter((_, j) => j !== i).map((p) => `127.0.0.1:${p}`), logLevel: 'warn' });
      }),
    );
    await waitFor(async () => {
      const hs = await Promise.all(peers.map((p) => getJson<{ coordinator: string | null; members: number }>(`${p.httpUrl}/api/health`)));
      return hs.every((h) => h.coordinator !== null && h.coordinator === hs[0]!.coordinator && h.members === 3);
    }, 20_000, 'one coordinator');
    await client.connect(new StreamableHTTPClientTransport(new URL(`${peers[1]!.httpUrl}/mcp`)));
    const tool = async (name: string, args: Record<string, unknown>) => {
      const result = await client.callTool({ name, arguments: args }, { timeout: 120_000 });
      if (result.isError) throw new Error(JSON.stringify(result.content));
      return result.structuredContent as Record<string, unknown>;
    };
    const plan = (duration: number, rps: number) => ({ name: 'bench', tasks: [{ type: 'load_test', parameters: { targets: [{ url }], duration, base_rps: rps } }] });

    // 1. start_test → first request at the target.
    const firsts: number[] = [];
    let lastId = '';
    for (let i = 0; i < RUNS; i++) {
      firstArrival = undefined;
      const t0 = performance.now();
      lastId = String((await tool('start_test', { plan: plan(1, 20) })).execution_id);
      await waitFor(() => firstArrival !== undefined, 10_000, 'the first request');
      firsts.push(firstArrival! - t0);
      await tool('wait_for_test', { execution_id: lastId, timeout_s: 30 });
    }

    // 2. get_test latency on a finished execution.
    const latencies: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const t0 = performance.now();
      await tool('get_test', { execution_id: lastId });
      latencies.push(performance.now() - t0);
    }

    // 3. structuredContent of a 3-peer execution of DURATION seconds.
    const long = String((await tool('start_test', { plan: plan(DURATION, 50) })).execution_id);
    for (;;) {
      const waited = await tool('wait_for_test', { execution_id: long, timeout_s: 50 });
      if (waited.done) break;
    }
    const compact = JSON.stringify(await tool('get_test', { execution_id: long }));
    const withSeries = JSON.stringify(await tool('get_test', { execution_id: long, timeseries: true }));
    const report = JSON.stringify((await getJson<{ report: unknown }>(`${peers[0]!.httpUrl}/api/executions/${long}`)).report);

    const out = {
      start_to_first_request_ms: { p50: ms(percentile(firsts, 50)), max: ms(Math.max(...firsts)), runs: RUNS },
      get_test_ms: { p50: ms(percentile(latencies, 50)), p99: ms(percentile(latencies, 99)), calls: CALLS },
      structured_content_bytes: { duration_s: DURATION, peers: 3, compact: compact.length, with_timeseries: withSeries.length, full_report: report.length },
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } finally {
    await client.close().catch(() => undefined);
    await Promise.all(peers.map((p) => p?.kill('SIGKILL')));
    await new Promise<void>((r) => target.close(() => r()));
    target.closeAllConnections();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
