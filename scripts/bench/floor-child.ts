// Benchmark child: the floor of an evenly paced client in Node. The engine's wake-up schedule (WAKE_LEAD_MS
// and its timers' lateness before the next arrival, every arrival due within SEND_AHEAD_MS with it) and its connections, but
// nothing else: a prebuilt request written on the next of N keep-alive sockets, each read counted as one
// response (the counting target answers each request in one write) and never parsed, nothing recorded,
// no histogram, no deltas. What it costs is what even pacing costs on this machine: the system calls and
// one wake-up of the process per response, which a bursty tool shares among many.
// argv[2]: JSON { url, durationS, connections, rps }.
import '../../src/polyfill.js';
import { connect, type Socket } from 'node:net';
import { SEND_AHEAD_MS, WakeSchedule } from '../../actors/load-generator/wake.js';
import { printResult, selfUsage } from './measure.js';

const config = JSON.parse(process.argv[2] ?? '{}') as { url: string; durationS: number; connections: number; rps: number };
const url = new URL(config.url);
const request = Buffer.from(`GET ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`, 'latin1');
const readBuffer = Buffer.allocUnsafe(64 * 1024);
const total = Math.round(config.rps * config.durationS);
let answered = 0;
const { promise: allAnswered, resolve } = Promise.withResolvers<void>();
const onRead = () => {
  if (++answered === total) resolve();
  return true;
};

const before = selfUsage();
const sockets: Socket[] = [];
for (let i = 0; i < config.connections; i++) sockets.push(connect({ host: url.hostname, port: Number(url.port), noDelay: true, onread: { buffer: readBuffer, callback: onRead } }));
await Promise.all(sockets.map((s) => new Promise((r) => s.once('connect', r))));

const start = performance.now() + 10;
const dueOf = (k: number) => start + (k * 1000) / config.rps;
let k = 0;
const wakes = new WakeSchedule();
const loop = () => {
  const now = performance.now();
  wakes.woke(now);
  for (; k < total && dueOf(k + 1) <= now + SEND_AHEAD_MS; k++) sockets[k % sockets.length]!.write(request);
  if (k < total) setTimeout(loop, wakes.sleep(now, dueOf(k + 1), Infinity));
};
setTimeout(loop, 10);
await Promise.race([allAnswered, new Promise((r) => setTimeout(r, (config.durationS + 5) * 1000))]);
for (const s of sockets) s.destroy();
const after = selfUsage();
printResult({
  tool: `floor@${config.rps}`,
  requests: answered,
  dropped: total - answered,
  errors: 0,
  durationS: config.durationS,
  cpuS: after.cpuS - before.cpuS,
  peakRssMB: after.peakRssMB,
  p99Ms: NaN,
});
