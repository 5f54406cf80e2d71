// How a run's share is split among worker threads: each takes an exact sub-segment of the run's
// segment (adjacent sub-segments share their boundary values, so arrival k and user u still belong to
// exactly one of them), and a part of the connections and of max_in_flight that add up to the whole.
import type { LoadTask } from '../../src/plan/index.js';
import type { Segment } from '../../src/execution/segment.js';
import { profileFor } from '../../src/schedule/patterns.js';
import { usersOf } from './segment.js';

/** Requests per second one worker thread sends comfortably; more workers only when a run needs them. */
export const WORKER_RATE = 10_000;

/** The segment (from, to] cut into n adjacent parts of equal width; the ends are exactly from and to. */
export function subSegments(segment: Segment, n: number): Segment[] {
  const { from, to } = segment;
  const bound = (i: number) => (i === 0 ? from : i === n ? to : from + ((to - from) * i) / n);
  return Array.from({ length: n }, (_, i) => ({ from: bound(i), to: bound(i + 1) }));
}

/**
 * The parts of a run's segment after it changed to `next`. A share that only grew (the coordinator widens
 * the shares of the generators that take a lost one over) keeps its inner boundaries, the first and last
 * parts taking the growth: no part loses arrivals, so parts that apply the change at slightly different
 * moments never send one arrival twice. Any other change is cut anew.
 */
export function resplit(parts: readonly Segment[], next: Segment, n: number): Segment[] {
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (parts.length !== n || !first || !last || next.from > first.from || next.to < last.to) return subSegments(next, n);
  return parts.map((p, i) => ({ from: i === 0 ? next.from : p.from, to: i === n - 1 ? next.to : p.to }));
}

/** Part i of n of a whole count: the parts differ by at most one and add up to the whole. */
export function partOf(whole: number, n: number, i: number): number {
  return Math.floor(whole / n) + (i < whole % n ? 1 : 0);
}

/** The highest rate of an open task (sampled), in req/s. */
function peakRate(task: LoadTask): number {
  const profile = profileFor(task);
  let peak = 0;
  for (let i = 0; i <= 200; i++) peak = Math.max(peak, profile.rate((task.duration * i) / 200));
  return peak;
}

/** Workers a run on `segment` uses out of `available`: enough for its rate, never more than its connections. */
export function workersFor(task: LoadTask, segment: Segment, available: number, perWorker = WORKER_RATE): number {
  if (available <= 0) return 0;
  const width = segment.to - segment.from;
  let cap = Math.min(available, task.connections);
  if (task.model === 'open') {
    cap = Math.min(cap, task.max_in_flight);
    return Math.max(1, Math.min(cap, Math.ceil((peakRate(task) * width) / perWorker)));
  }
  const range = usersOf(segment, task.concurrent_users);
  const users = range.end - range.first;
  // With think time, a user sends at most once per think time: a bound on the rate.
  if (task.think_time > 0) cap = Math.min(cap, Math.ceil(users / task.think_time / perWorker));
  return Math.max(1, Math.min(cap, users));
}

/** Worker i's copy of the task: its part of the connections and of max_in_flight. */
export function workerTask(task: LoadTask, n: number, i: number): LoadTask {
  if (n <= 1) return task;
  return { ...task, connections: Math.max(1, partOf(task.connections, n, i)), max_in_flight: Math.max(1, partOf(task.max_in_flight, n, i)) };
}
