// `node peer.js run` has no node monitor: it watches its own event loop the way the monitor does (busy
// fraction and delay p99, each second, against health_monitoring.saturation), so that a stress test run
// alone still tells a saturated client from the target breaking.
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { SaturationBounds } from '../../actors/node-monitor/saturation.js';
import { busiestLoop, delayFigures, DELAY_RESOLUTION_MS, type LoopThread } from '../../actors/node-monitor/event-loop.js';
import { loadWorkerThreads } from '../../actors/load-generator/worker-pool.js';

export interface OwnSaturation {
  /** The verdict on the time since the last sample, as seconds since the start it overlaps. */
  sample(now: number): { seconds: number[]; saturated: boolean; reason?: string };
  stop(): void;
}

/** `threads`: the load workers, whose busiest loop counts as well (a starved worker falls behind while this loop idles). */
export function watchOwnSaturation(startAt: number, bounds: SaturationBounds, threads: () => readonly LoopThread[] = loadWorkerThreads): OwnSaturation {
  const busiestWorker = busiestLoop(threads);
  const resolution = DELAY_RESOLUTION_MS.precise;
  const delay = monitorEventLoopDelay({ resolution });
  delay.enable();
  let mark: EventLoopUtilization = performance.eventLoopUtilization();
  let last = Date.now();
  return {
    sample(now) {
      const busy = Math.max(performance.eventLoopUtilization(mark).utilization, busiestWorker());
      mark = performance.eventLoopUtilization();
      const { p99Ms } = delayFigures(delay, resolution);
      delay.reset();
      const from = Math.floor((last - startAt) / 1000);
      const to = Math.floor((now - 1 - startAt) / 1000);
      last = now;
      const seconds: number[] = [];
      for (let s = Math.max(0, from); s <= to; s++) seconds.push(s);
      const reasons = [
        ...(busy >= bounds.event_loop_utilization ? [`event loop busy ${(busy * 100).toFixed(0)}%`] : []),
        ...(p99Ms >= bounds.event_loop_delay_ms ? [`event loop delay p99 ${p99Ms.toFixed(0)} ms`] : []),
      ];
      return { seconds, saturated: reasons.length > 0, ...(reasons.length > 0 ? { reason: reasons.join(', ') } : {}) };
    },
    stop: () => delay.disable(),
  };
}
