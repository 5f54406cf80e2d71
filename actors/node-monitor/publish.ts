// When a health sample is news to the other peers. A peer samples itself every check interval but
// gossips a sample only when it changed in a way the others act on (state, score, alerts, checks,
// active runs, or CPU, memory or disk by a few points: placement reads state, score, CPU and runs),
// and otherwise as a refresh now and then: an idle cluster stays quiet, and grows no louder with it.
import type { HealthSample } from '../../src/health.js';

/** Changes smaller than these (in points of a percentage, or of the 0–100 score) wait for the refresh. */
export const NEWS_POINTS = { score: 5, cpu: 10, memory: 5, disk: 5 } as const;

const keyOf = (xs: readonly { id?: string; name?: string; level?: string; ok?: boolean }[]) =>
  xs
    .map((x) => `${x.id ?? x.name}:${x.level ?? x.ok}`)
    .sort()
    .join('|');

/** True when `next` should be gossiped, given the last sample gossiped (`last`) and the refresh period. */
export function isNews(last: HealthSample | undefined, next: HealthSample, refreshMs: number): boolean {
  if (!last) return true;
  if (next.at - last.at >= refreshMs) return true;
  if (next.state !== last.state) return true;
  if (next.process.active_runs !== last.process.active_runs) return true;
  if (Math.abs(next.score - last.score) >= NEWS_POINTS.score) return true;
  if (Math.abs(next.cpu_percent - last.cpu_percent) >= NEWS_POINTS.cpu) return true;
  if (Math.abs(next.memory_percent - last.memory_percent) >= NEWS_POINTS.memory) return true;
  if (Math.abs(next.disk_percent - last.disk_percent) >= NEWS_POINTS.disk) return true;
  return keyOf(next.active_alerts) !== keyOf(last.active_alerts) || keyOf(next.checks) !== keyOf(last.checks);
}

/** A sample that is no news is gossiped again after this many check intervals (30 s by default). */
export const REFRESH_SAMPLES = 6;

/** How often a peer gossips an unchanged sample, and when the others judge its last one stale (a refresh missed). */
export function healthGossipTiming(checkIntervalMs: number): { refreshMs: number; staleMs: number } {
  const refreshMs = REFRESH_SAMPLES * checkIntervalMs;
  return { refreshMs, staleMs: refreshMs + 2 * checkIntervalMs + 2_000 };
}
