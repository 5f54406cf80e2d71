// Where the monitor's figures come from. The actor only sees this interface: tests inject fakes, the
// peer injects `systemSampler()` (systeminformation for the machine, perf_hooks for this process).
import { loadavg } from 'node:os';
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import si from 'systeminformation';
import type { ProcessProbe } from '../../src/health.js';

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

export type ProcessFigures = Omit<ProcessProbe, 'at' | 'active_runs'>;

export interface Sampler {
  /** The machine: CPU, memory, disk, network, load average. */
  system(): Promise<SystemSnapshot>;
  /** This process since the previous call: CPU share, event-loop busy time and delay. */
  process(): ProcessFigures;
  close(): void;
}

const clamp = (x: number) => Math.max(0, Math.min(100, Number.isFinite(x) ? x : 0));
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The mount holding `path` (the longest mount point that prefixes it). */
function mountOf<T extends { mount: string }>(disks: T[], path: string): T | undefined {
  return disks.filter((d) => path === d.mount || path.startsWith(d.mount.endsWith('/') ? d.mount : `${d.mount}/`)).sort((a, b) => b.mount.length - a.mount.length)[0];
}

export function systemSampler(options: { diskPath: string }): Sampler {
  const delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let lastElu: EventLoopUtilization = performance.eventLoopUtilization();
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  return {
    async system() {
      const [load, mem, disks, net] = await Promise.all([si.currentLoad(), si.mem(), si.fsSize(), si.networkStats('*')]);
      const disk = mountOf(disks, options.diskPath);
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
    },
    process() {
      const now = performance.now();
      const cpu = process.cpuUsage(lastCpu);
      const elu = performance.eventLoopUtilization(lastElu);
      const wallMs = Math.max(1, now - lastAt);
      const figures: ProcessFigures = {
        cpu_percent: round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
        event_loop_utilization: round(Math.min(1, Math.max(0, elu.utilization)), 3),
        // The histogram is in nanoseconds and counts the sampling resolution in: take it off.
        event_loop_delay_p99_ms: delay.count > 0 ? round(Math.max(0, delay.percentile(99) / 1e6 - 10)) : 0,
        event_loop_delay_max_ms: delay.count > 0 ? round(Math.max(0, delay.max / 1e6 - 10)) : 0,
      };
      delay.reset();
      lastElu = performance.eventLoopUtilization();
      lastCpu = process.cpuUsage();
      lastAt = now;
      return figures;
    },
    close() {
      delay.disable();
    },
  };
}
