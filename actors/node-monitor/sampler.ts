// Where the monitor's figures come from. The actor only sees this interface: tests inject fakes, the
// peer injects `systemSampler()` (systeminformation for the machine, perf_hooks for this process).
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import type { ProcessProbe } from '../../src/health.js';
import { systemSnapshots, type SystemSnapshot } from './system-snapshot.js';

export type { SystemSnapshot };

export type ProcessFigures = Omit<ProcessProbe, 'at' | 'active_runs'>;

export interface Sampler {
  /** The machine: CPU, memory, disk, network, load average. */
  system(): Promise<SystemSnapshot>;
  /** This process since the previous call: CPU share, event-loop busy time and delay. */
  process(): ProcessFigures;
  close(): void;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The machine from /proc and statfs (see system-snapshot.ts), this process from perf_hooks; on the peer's own thread. */
export function systemSampler(options: { diskPath: string }): Sampler {
  const snapshot = systemSnapshots(options.diskPath);
  let pending = false;
  const delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let lastElu: EventLoopUtilization = performance.eventLoopUtilization();
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  return {
    system() {
      if (pending) return Promise.reject(new Error('a sample is already being taken'));
      pending = true;
      return snapshot().finally(() => (pending = false));
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
