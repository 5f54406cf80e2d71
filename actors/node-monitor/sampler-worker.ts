// The worker thread behind systemSampler: takes a machine snapshot with systeminformation on request.
import { loadavg } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import si from 'systeminformation';
import { errorMessage } from '../../src/errors.js';
import type { SystemSnapshot } from './sampler.js';

const { diskPath } = workerData as { diskPath: string };
const clamp = (x: number) => Math.max(0, Math.min(100, Number.isFinite(x) ? x : 0));
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The mount holding `path` (the longest mount point that prefixes it). */
function mountOf<T extends { mount: string }>(disks: T[], path: string): T | undefined {
  return disks.filter((d) => path === d.mount || path.startsWith(d.mount.endsWith('/') ? d.mount : `${d.mount}/`)).sort((a, b) => b.mount.length - a.mount.length)[0];
}

async function snapshot(): Promise<SystemSnapshot> {
  const [load, mem, disks, net] = await Promise.all([si.currentLoad(), si.mem(), si.fsSize(), si.networkStats('*')]);
  const disk = mountOf(disks, diskPath);
  const real = net.filter((n) => n.iface !== 'lo');
  return {
    cpu_percent: round(clamp(load.currentLoad)),
    cpu_cores: Math.max(1, load.cpus.length),
    memory_percent: round(clamp(((mem.total - mem.available) / mem.total) * 100)),
    memory_used_bytes: mem.total - mem.available,
    memory_total_bytes: mem.total,
    disk_percent: round(clamp(disk?.use ?? 0)),
    disk_used_bytes: disk?.used ?? 0,
    disk_total_bytes: disk?.size ?? 0,
    // The first reading has no rate yet (null): 0 until the second.
    network_rx_bytes_per_s: round(real.reduce((s, n) => s + Math.max(0, n.rx_sec ?? 0), 0)),
    network_tx_bytes_per_s: round(real.reduce((s, n) => s + Math.max(0, n.tx_sec ?? 0), 0)),
    load_average: loadavg().map((x) => round(x, 2)) as [number, number, number],
  };
}

parentPort!.on('message', () => {
  snapshot().then(
    (s) => parentPort!.postMessage({ snapshot: s }),
    (error: unknown) => parentPort!.postMessage({ error: errorMessage(error) }),
  );
});
