// `node dist/scripts/bench/messaging.js [--messages 2000] [--warmup 200] [--rounds 10]`: round-trip latency of the messaging hub
// between two processes (this one sends; a child it spawns receives) over libp2p on 127.0.0.1, per delivery mode,
// against a raw `transport.request` baseline. Sequential (one message in flight), so no coordinated omission to
// correct. Prints a table and one JSON line; stops the child however it ends.
import '../../src/polyfill.js';
import { fileURLToPath } from 'node:url';
import { build, type Histogram } from 'hdr-histogram-js';
import { ActorSystem } from '../../src/actor/system.js';
import { encodeFrame } from '../../src/protocol/frame.js';
import { waitFor } from '../lib/peer-process.js';
import { runReceiver, startLoopbackTransport, startReceiver, stopReceiver } from '../lib/receiver-process.js';
import { messagingHub } from '../../actors/messaging-hub/hub.js';
import { DELIVERY_MODES } from '../../actors/messaging-hub/messages.js';
import { send } from '../../actors/messaging-hub/send.js';

const RAW_PROTOCOL = '/mcpdt/bench/raw/1.0.0';
const ECHO_KIND = 'bench.echo';
const OVERALL_DEADLINE_MS = 180_000;

interface Figures {
  name: string;
  count: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  mean_ms: number;
  msgs_per_s: number;
}

/** The receiving side: echoes raw frames and hub messages until the parent closes our stdin. */
function receiver(): Promise<never> {
  return runReceiver(async (transport) => {
    transport.handle(RAW_PROTOCOL, ({ data }) => data);
    const system = new ActorSystem();
    await system.spawn(messagingHub({ transport, handlers: { [ECHO_KIND]: (payload) => payload } }));
    return () => system.stop();
  });
}

interface Case {
  name: string;
  roundTrip: (seq: number) => Promise<unknown>;
}

/**
 * Warm every case up, then run them in interleaved rounds so that background load and JIT warm-up fall on
 * every case alike rather than on whichever runs first.
 */
async function measure(cases: Case[], count: number, warmup: number, rounds: number): Promise<Figures[]> {
  for (const c of cases) for (let i = 0; i < warmup; i++) await c.roundTrip(-i - 1);
  const runs = cases.map((c) => ({
    ...c,
    done: 0,
    busyMs: 0,
    histogram: build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 }) as Histogram,
  }));
  for (let round = 0; round < rounds; round++) {
    for (const run of runs) {
      const share = Math.floor((count * (round + 1)) / rounds) - run.done;
      const started = performance.now();
      for (let i = 0; i < share; i++) {
        const t0 = performance.now();
        await run.roundTrip(run.done + i);
        run.histogram.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1_000)));
      }
      run.busyMs += performance.now() - started;
      run.done += share;
    }
  }
  const ms = (us: number) => Math.round(us) / 1_000;
  return runs.map((run) => {
    const { histogram } = run;
    const figures: Figures = {
      name: run.name,
      count: run.done,
      p50_ms: ms(histogram.getValueAtPercentile(50)),
      p90_ms: ms(histogram.getValueAtPercentile(90)),
      p99_ms: ms(histogram.getValueAtPercentile(99)),
      max_ms: ms(histogram.maxValue),
      mean_ms: ms(histogram.mean),
      msgs_per_s: Math.round(run.done / (run.busyMs / 1_000)),
    };
    histogram.destroy();
    return figures;
  });
}

function printTable(rows: Figures[]): void {
  const header = ['round trip', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'mean ms', 'msgs/s'];
  const cells = rows.map((r) => [r.name, r.count, r.p50_ms, r.p90_ms, r.p99_ms, r.max_ms, r.mean_ms, r.msgs_per_s].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${cells.map(line).join('\n')}\n`);
}

function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer`);
  return value;
}

async function main(): Promise<void> {
  const count = numberArg('messages', 2_000);
  const warmup = numberArg('warmup', 200);
  const rounds = Math.max(1, numberArg('rounds', 10));
  const remote = await startReceiver(fileURLToPath(import.meta.url));
  const deadline = setTimeout(() => {
    process.stderr.write(`benchmark did not finish within ${OVERALL_DEADLINE_MS} ms\n`);
    remote.child.kill('SIGKILL');
    process.exit(1);
  }, OVERALL_DEADLINE_MS);
  const system = new ActorSystem();
  let stopTransport = (): Promise<void> => Promise.resolve();
  try {
    const { transport, stop } = await startLoopbackTransport('tx');
    stopTransport = stop;
    // Fire-and-forget answers the caller when the frame goes out; its round trip ends when the hub reports the ack.
    let acked: (() => void) | undefined;
    const hub = await system.spawn(messagingHub({ transport, onDelivery: (r) => r.mode === 'fire-and-forget' && acked?.() }));
    transport.connect(remote.id, remote.addresses);
    await waitFor(() => transport.connectedPeers().includes(remote.id), 10_000, 'connection to the receiver');

    const payload = (seq: number) => ({ seq, task: 'task-0001', at: 1_700_000_000_000 + seq });
    const cases: Case[] = [
      { name: 'raw transport.request', roundTrip: (seq) => transport.request(remote.id, RAW_PROTOCOL, encodeFrame({ type: 'bench', ...payload(seq) })) },
      ...DELIVERY_MODES.map((mode): Case => ({
        name: `hub ${mode}`,
        roundTrip: async (seq) => {
          if (mode !== 'fire-and-forget') return send(hub, remote.id, ECHO_KIND, payload(seq), mode, { deadlineMs: 10_000 });
          const ack = new Promise<void>((resolve) => (acked = resolve));
          await send(hub, remote.id, ECHO_KIND, payload(seq), mode);
          return ack;
        },
      })),
    ];
    const rows = await measure(cases, count, warmup, rounds);
    printTable(rows);
    const json = { bench: 'messaging', transport: 'libp2p tcp 127.0.0.1', processes: 2, node: process.version, messages: count, warmup, rounds, results: rows };
    process.stdout.write(`${JSON.stringify(json)}\n`);
  } finally {
    clearTimeout(deadline);
    await system.stop();
    await stopTransport();
    await stopReceiver(remote.child);
  }
}

if (process.argv.includes('--receiver')) await receiver();
else await main();
