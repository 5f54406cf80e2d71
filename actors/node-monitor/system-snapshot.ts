// A machine snapshot for systemSampler. CPU and memory come from systeminformation (it reads /proc,
// asynchronously); disk and network are read here with statfs and /proc/net/dev, because
// systeminformation's fsSize and networkStats spawn `df` and a shell per interface on every sample:
// that blocked the event loop (so it ran on a worker thread, 20-30 MB of its own) and was most of an
// idle peer's CPU (see scripts/bench/idle.ts). Without them nothing here blocks: it runs on the peer's thread.
import { loadavg } from 'node:os';
import { readFile, statfs } from 'node:fs/promises';
import si from 'systeminformation';

/** The machine's figures at one moment, as the monitor samples them. */
export interface SystemSnapshot {
  cpu_percent: number;
  cpu_cores: number;
  memory_percent: number;
  memory_used_bytes: number;
  memory_total_bytes: number;
  disk_percent: number;
  disk_used_bytes: number;
  disk_total_bytes: number;
  network_rx_bytes_per_s: number;
  network_tx_bytes_per_s: number;
  load_average: [number, number, number];
}

const clamp = (x: number) => Math.max(0, Math.min(100, Number.isFinite(x) ? x : 0));
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The file system holding `path`, as `df` shows it: used = total − free, use % over what users may fill. */
async function disk(path: string): Promise<{ use: number; used: number; size: number }> {
  const s = await statfs(path);
  const size = s.blocks * s.bsize;
  const used = (s.blocks - s.bfree) * s.bsize;
  const avail = s.bavail * s.bsize;
  return { use: used + avail > 0 ? (used / (used + avail)) * 100 : 0, used, size };
}

type NetReading = { at: number; rx: number; tx: number };

/** Bytes per second received and sent over every interface but loopback, since `prev` (0 the first time). */
async function network(prev: NetReading | undefined): Promise<{ rx: number; tx: number; reading?: NetReading }> {
  let text = '';
  try {
    text = await readFile('/proc/net/dev', 'utf8');
  } catch {
    return { rx: 0, tx: 0 }; // not Linux: no network figures
  }
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim() === 'lo') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/);
    rx += Number(f[0]) || 0;
    tx += Number(f[8]) || 0;
  }
  const reading = { at: performance.now(), rx, tx };
  if (!prev || reading.at <= prev.at) return { rx: 0, tx: 0, reading };
  const s = (reading.at - prev.at) / 1_000;
  return { rx: Math.max(0, rx - prev.rx) / s, tx: Math.max(0, tx - prev.tx) / s, reading };
}

/** Takes snapshots of the machine, with the file system of `diskPath`; network rates are since the previous one. */
export function systemSnapshots(diskPath: string): () => Promise<SystemSnapshot> {
  let lastNet: NetReading | undefined;
  return async () => {
    const [load, mem, d, net] = await Promise.all([si.currentLoad(), si.mem(), disk(diskPath).catch(() => undefined), network(lastNet)]);
    lastNet = net.reading ?? lastNet;
    return snapshotOf(load, mem, d, net);
  };
}

function snapshotOf(
  load: { currentLoad: number; cpus: unknown[] },
  mem: { total: number; available: number },
  d: { use: number; used: number; size: number } | undefined,
  net: { rx: number; tx: number },
): SystemSnapshot {
  return {
    cpu_percent: round(clamp(load.currentLoad)),
    cpu_cores: Math.max(1, load.cpus.length),
    memory_percent: round(clamp(((mem.total - mem.available) / mem.total) * 100)),
    memory_used_bytes: mem.total - mem.available,
    memory_total_bytes: mem.total,
    disk_percent: round(clamp(d?.use ?? 0)),
    disk_used_bytes: d?.used ?? 0,
    disk_total_bytes: d?.size ?? 0,
    network_rx_bytes_per_s: round(net.rx),
    network_tx_bytes_per_s: round(net.tx),
    load_average: loadavg().map((x) => round(x, 2)) as [number, number, number],
  };
}
