// CPU of one request/reply exchange over libp2p as an idle coordinator sends its heartbeats: one round
// to every follower in the same turn (9 in a 10-peer cluster), rounds evenly spread to make --rate
// exchanges a second (about 16 at rest), where V8 never optimises the code it runs. This process sends
// `transport.request`s to receivers it spawns (child processes on 127.0.0.1, mDNS off) for --seconds,
// then sits idle as long; the CPU of the sending window minus the idle one, over the exchanges, is what
// one exchange costs the sender. The main thread's share is read from /proc (Linux).
//   node dist/scripts/bench/exchange-cost.js [--rate 16] [--seconds 30] [--receivers 9] [--reps 1]
import '../../src/polyfill.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeFrame } from '../../src/protocol/frame.js';
import type { Libp2pTransport } from '../../src/transport/libp2p/transport.js';
import { waitFor } from '../lib/peer-process.js';
import { runReceiver, startLoopbackTransport, startReceiver, stopReceiver } from '../lib/receiver-process.js';
import { median } from './measure.js';

const PROTOCOL = '/mcpdt/bench/exchange/1.0.0';
const TICKS_PER_S = 100; // USER_HZ
const { values } = parseArgs({ options: { rate: { type: 'string', default: '16' }, seconds: { type: 'string', default: '30' }, receivers: { type: 'string', default: '9' }, reps: { type: 'string', default: '1' }, receiver: { type: 'boolean', default: false } } });
const RATE = Math.min(200, Math.max(1, Number(values.rate)));
const SECONDS = Math.min(120, Math.max(10, Number(values.seconds))); // shorter windows are within the noise of 10 ms CPU ticks and of a collection
const RECEIVERS = Math.min(9, Math.max(1, Number(values.receivers)));
const REPS = Math.min(10, Math.max(1, Number(values.reps)));

/** CPU seconds of this process's main thread and of the whole process. */
function cpu(): { main: number; all: number } {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const u = process.cpuUsage();
  return { main: (Number(f[11]) + Number(f[12])) / TICKS_PER_S, all: (u.user + u.system) / 1e6 };
}

/** The receiving side: answers each request with an ack-sized frame. */
function receiver(): Promise<never> {
  const ack = encodeFrame({ type: 'coordinator.ack', term: 3, ok: true, leaseMs: 1_100 });
  return runReceiver(async (transport) => transport.handle(PROTOCOL, () => ack));
}

/** Sends RATE requests a second: a round to every receiver in one turn, rounds evenly spread. Resolves with the failures. */
function send(transport: Libp2pTransport, to: readonly string[], seconds: number, frame: Uint8Array): Promise<number> {
  const rounds = Math.max(1, Math.round((RATE * seconds) / to.length));
  const periodMs = (1000 * to.length) / RATE;
  const t0 = performance.now();
  let sent = 0;
  let failed = 0;
  return new Promise((done) => {
    const round = () => {
      for (const peer of to) transport.request(peer, PROTOCOL, frame, { timeoutMs: 700 }).catch(() => failed++);
      if (++sent < rounds) setTimeout(round, sent * periodMs - (performance.now() - t0));
      else setTimeout(() => done(failed), 300);
    };
    round();
  });
}

async function main(): Promise<void> {
  const receivers = await Promise.all(Array.from({ length: RECEIVERS }, () => startReceiver(fileURLToPath(import.meta.url))));
  const { transport, stop } = await startLoopbackTransport('xtx');
  const rows: { mainUs: number; allUs: number; idleMainPct: number; failed: number }[] = [];
  try {
    for (const r of receivers) transport.connect(r.id, r.addresses);
    await waitFor(() => receivers.every((r) => transport.connectedPeers().includes(r.id)), 10_000, 'connections to the receivers');
    const frame = encodeFrame({ type: 'coordinator.heartbeat', term: 3, from: transport.self, leaseMs: 1_100 });
    const ids = receivers.map((r) => r.id);
    await send(transport, ids, 5, frame); // streams open and pooled, code past its first runs
    for (let rep = 0; rep < REPS; rep++) {
      const a = cpu();
      const failed = await send(transport, ids, SECONDS, frame);
      const b = cpu();
      await new Promise((r) => setTimeout(r, SECONDS * 1000));
      const c = cpu();
      const n = Math.max(1, Math.round((RATE * SECONDS) / receivers.length)) * receivers.length;
      const perExchange = (busy: number, idle: number) => (Math.max(0, busy - idle) / n) * 1e6;
      rows.push({ mainUs: perExchange(b.main - a.main, c.main - b.main), allUs: perExchange(b.all - a.all, c.all - b.all), idleMainPct: ((c.main - b.main) / SECONDS) * 100, failed });
      process.stdout.write(`rep ${rep + 1}: ${JSON.stringify(rows.at(-1))}\n`);
    }
  } finally {
    await stop();
    await Promise.all(receivers.map((r) => stopReceiver(r.child)));
  }
  const mainUs = Math.round(median(rows.map((r) => r.mainUs)));
  const allUs = Math.round(median(rows.map((r) => r.allUs)));
  process.stdout.write(`${RATE} exchanges/s over ${RECEIVERS} receivers, ${SECONDS} s, median of ${REPS}: ${mainUs} µs of the main thread's CPU per exchange, ${allUs} µs of the whole process's\n`);
  process.stdout.write(`${JSON.stringify({ rate: RATE, receivers: RECEIVERS, seconds: SECONDS, reps: rows })}\n`);
}

if (values.receiver) await receiver();
else await main();
