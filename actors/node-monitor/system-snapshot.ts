// A machine snapshot for systemSampler. Memory comes from systeminformation's mem(): the memory that
// is available (free plus what the kernel can reclaim) on every platform, where os.freemem() gives it
// on Linux only; on Linux it reads /proc/meminfo asynchronously, nothing spawned. CPU is from os.cpus(),
// disk from statfs and network from /proc/net/dev: systeminformation's currentLoad runs
// `cat /proc/stat | grep cpu` through a shell with execSync, and its fsSize and networkStats spawn `df`
// and a shell per interface, on every sample (a blocking child process every 5 s was the largest share
// of an idle peer's own JavaScript after gossip, see scripts/bench/idle.ts --profile).
import { cpus, loadavg } from 'node:os';
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

type CpuReading = { busy: number; total: number; cores: number };

/** Busy and total CPU time of every core (ms, since boot): their deltas between two readings are the load. */
function cpuReading(): CpuReading {
  let busy = 0;
  let total = 0;
  const all = cpus();
  for (const { times } of all) {
    const sum = times.user + times.nice + times.sys + times.idle + times.irq;
    total += sum;
    busy += sum - times.idle;
  }
  return { busy, total, cores: all.length };
}

/** The machine's CPU use in % since `prev` (since boot the first time). */
export function cpuPercent(now: CpuReading, prev: CpuReading | undefined): number {
  const total = now.total - (prev?.total ?? 0);
  return total > 0 ? ((now.busy - (prev?.busy ?? 0)) / total) * 100 : 0;
}

/** Takes snapshots of the machine, with the file system of `diskPath`; CPU and network rates are since the previous one. */
export function systemSnapshots(diskPath: string): () => Promise<SystemSnapshot> {
  let lastNet: NetReading | undefined;
  let lastCpu: CpuReading | undefined;
  return async () => {
    const [mem, d, net] = await Promise.all([si.mem(), disk(diskPath).catch(() => undefined), network(lastNet)]);
    lastNet = net.reading ?? lastNet;
    const cpu = cpuReading();
    const load = { currentLoad: cpuPercent(cpu, lastCpu), cores: cpu.cores };
    lastCpu = cpu;
    return snapshotOf(load, mem, d, net);
  };
}

function snapshotOf(
  load: { currentLoad: number; cores: number },
  mem: { total: number; available: number },
  d: { use: number; used: number; size: number } | undefined,
  net: { rx: number; tx: number },
): SystemSnapshot {
  return {
    cpu_percent: round(clamp(load.currentLoad)),
    cpu_cores: Math.max(1, load.cores),
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
