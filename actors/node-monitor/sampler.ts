// Where the monitor's figures come from. The actor only sees this interface: tests inject fakes, the
// peer injects `systemSampler()` (os, statfs and /proc for the machine, perf_hooks for this process).
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import type { ProcessProbe } from '../../src/health.js';
import { busiestLoop, delayFigures, DELAY_RESOLUTION_MS, type LoopThread } from './event-loop.js';
import { systemSnapshots, type SystemSnapshot } from './system-snapshot.js';

export type { SystemSnapshot };

export type ProcessFigures = Omit<ProcessProbe, 'at' | 'active_runs'>;

export interface Sampler {
  /** The machine: CPU, memory, disk, network, load average. */
  system(): Promise<SystemSnapshot>;
  /** This process since the previous call: CPU share, event-loop busy time and delay. */
  process(): ProcessFigures;
  /** Watch the event loop finely (load runs here: saturation is judged from it) or coarsely (at rest). */
  precise?(on: boolean): void;
  close(): void;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The machine from /proc and statfs (see system-snapshot.ts), this process from perf_hooks; on the peer's
 * own thread. `threads`: the load workers, whose busiest loop counts as the process's utilization (a
 * starved worker falls behind with the peer's own loop idle).
 */
export function systemSampler(options: { diskPath: string; threads?: () => readonly LoopThread[] }): Sampler {
  const snapshot = systemSnapshots(options.diskPath);
  const busiestThread = options.threads ? busiestLoop(options.threads) : () => 0;
  let pending = false;
  let resolution: number = DELAY_RESOLUTION_MS.coarse;
  let delay: IntervalHistogram = monitorEventLoopDelay({ resolution });
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
      const delays = delayFigures(delay, resolution);
      const figures: ProcessFigures = {
        cpu_percent: round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
        event_loop_utilization: round(Math.min(1, Math.max(0, elu.utilization, busiestThread())), 3),
        event_loop_delay_p99_ms: round(delays.p99Ms),
        event_loop_delay_max_ms: round(delays.maxMs),
      };
      delay.reset();
      lastElu = performance.eventLoopUtilization();
      lastCpu = process.cpuUsage();
      lastAt = now;
      return figures;
    },
    precise(on) {
      const wanted = on ? DELAY_RESOLUTION_MS.precise : DELAY_RESOLUTION_MS.coarse;
      if (wanted === resolution) return;
      delay.disable();
      resolution = wanted;
      delay = monitorEventLoopDelay({ resolution });
      delay.enable();
    },
    close() {
      delay.disable();
    },
  };
}
