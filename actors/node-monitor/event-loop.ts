// This process's event loops as the node monitor reads them: delay sampling periods and figures, and the
// busiest of other threads' loops. Apart from the sampler (and its machine figures from systeminformation),
// so that `node peer.js run`, which watches its own loops during a stress test (src/cli/local-saturation.ts),
// loads only this.
import type { EventLoopUtilization, IntervalHistogram } from 'node:perf_hooks';

/**
 * Event-loop delay sampling periods, ms. The sampling timer wakes the process each period: at 10 ms that
 * alone was about 0.6 % of a core on an idle peer; at rest a delay worth reporting is 100 ms or more.
 * While load runs (precise), a stall reads as its length less up to one period: within 20 ms of it at 20
 * ms, against the saturation bound's 100 ms (health_monitoring.saturation). At 10 ms the timer woke a
 * peer sending 1,000 req/s some 100 times a second on top of its sending loop's 110 (src/cli/
 * local-saturation.ts probes the same way during a stress test of `node peer.js run`).
 */
export const DELAY_RESOLUTION_MS = { precise: 20, coarse: 50 } as const;

/** A delay histogram's p99 and max, ms: it records whole intervals between its timer's wake-ups, so the period is taken off. */
export function delayFigures(delay: IntervalHistogram, resolutionMs: number): { p99Ms: number; maxMs: number } {
  if (delay.count === 0) return { p99Ms: 0, maxMs: 0 };
  return { p99Ms: Math.max(0, delay.percentile(99) / 1e6 - resolutionMs), maxMs: Math.max(0, delay.max / 1e6 - resolutionMs) };
}

/** Another thread whose event loop counts as this process's (a load worker: `Worker` has this shape). */
export interface LoopThread {
  threadId: number;
  performance: { eventLoopUtilization(now?: EventLoopUtilization, before?: EventLoopUtilization): EventLoopUtilization };
}

/** The busiest of `threads`' event loops since the previous call, 0–1 (a thread first seen counts from the next call). */
export function busiestLoop(threads: () => readonly LoopThread[]): () => number {
  let last = new Map<number, EventLoopUtilization>();
  return () => {
    let busiest = 0;
    const seen = new Map<number, EventLoopUtilization>();
    for (const thread of threads()) {
      const now = thread.performance.eventLoopUtilization();
      const before = last.get(thread.threadId);
      if (before) busiest = Math.max(busiest, thread.performance.eventLoopUtilization(now, before).utilization);
      seen.set(thread.threadId, now);
    }
    last = seen;
    return busiest;
  };
}
