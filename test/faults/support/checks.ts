// What must hold after every schedule of the fault suite; each returns the violations it found.
import { SHORT_RUN } from '../../../src/execution/accounting.js';
import { SEND_AHEAD_MS } from '../../../actors/load-generator/wake.js';
export const FINAL = ['completed', 'failed', 'cancelled'];
/**
 * The runs' max_lateness: late arrivals are dropped rather than sent in a catch-up burst. At most
 * rate x 35 ms of one second's arrivals can then slip into the next (10 at 300/s), and with those sent
 * ahead (SEND_AHEAD_MS) under the 5 % the rate check allows, so a second over it is double driving, not
 * a starved sender (a 100 ms bound let 30 slip, and a stall of a loaded 2-core machine showed as 324 of 300).
 */
const MAX_LATENESS_MS = 35;
export const MAX_LATENESS = `${MAX_LATENESS_MS}ms`;
if (MAX_LATENESS_MS + SEND_AHEAD_MS >= 50) throw new Error(`max_lateness ${MAX_LATENESS_MS} ms and the send-ahead ${SEND_AHEAD_MS} ms let a lone generator pass 1.05x in a second`);

export interface ExecutionView {
  execution_id: string;
  status: string;
  term?: number;
  coordinator?: string;
  start_at: string | null;
  finished_at: string | null;
  error?: string;
  report?: {
    summary: {
      total_requests: number;
      successful_requests: number;
      dropped_requests: number;
      scheduled_requests: number;
      unaccounted_requests: number;
      unaccounted_max: number;
    };
    unaccounted?: { note: string; runs: { node: string; unaccounted: number; reason?: string }[] };
  };
}


/**
 * At most 1.05x the asked rate reached the target in any second since the start: each second of the run,
 * as the issue words it. Not a sum over two seconds: the freeze that this check exists for (a woken
 * generator bursting beside the ones that took its share over) leaves the second before it short too.
 * What a generator alone can do to a second is bounded: it drops arrivals later than max_lateness and
 * sends none more than the send-ahead window (SEND_AHEAD_MS, 11 ms) early, so it sends at most the arrivals
 * due in [s - 35 ms, s + 1 s + 11 ms): 1.046x. The target stamps arrivals when its own event loop gets to them,
 * so a stall of the target (a starved machine) moves them further: a violation names the target's own
 * stalls at that boundary (`stalls`: spans [from, to], epoch ms), to tell the instrument from the system.
 */
export function checkRate(arrivals: number[], startMs: number, rate: number, stalls: readonly [number, number][] = []): string[] {
  const bins = new Map<number, number>();
  for (const at of arrivals) {
    const k = Math.floor((at - startMs) / 1000);
    bins.set(k, (bins.get(k) ?? 0) + 1);
  }
  const out: string[] = [];
  for (const [k, count] of [...bins].sort((a, b) => a[0] - b[0])) {
    if (count <= rate * 1.05) continue;
    // Over two seconds, a late second (a stalled sender or target) and double driving look different.
    const before = bins.get(k - 1) ?? 0;
    const boundary = startMs + k * 1000;
    const stalled = stalls.filter(([from, to]) => to >= boundary - 100 && from <= boundary + 1000).map(([from, to]) => `${to - from} ms from ${from - boundary} ms`);
    const target = stalled.length > 0 ? `; the target itself stalled ${stalled.join(', ')} (relative to the second's start)` : '; the target did not stall';
    out.push(`second ${k}: the target saw ${count} requests (asked ${rate}/s, bound ${rate * 1.05}; ${before} the second before, ${count + before} of ${2 * rate} over both${target})`);
  }
  return out;
}

/** sent + dropped + unaccounted = scheduled, and answered <= target's count <= sent + unaccounted_max. */
export function checkAccounting(e: ExecutionView, targetCount: number): string[] {
  const s = e.report?.summary;
  if (!s) return [`no report`];
  const out: string[] = [];
  if (s.total_requests + s.dropped_requests + s.unaccounted_requests !== s.scheduled_requests) {
    out.push(`sent ${s.total_requests} + dropped ${s.dropped_requests} + unaccounted ${s.unaccounted_requests} != scheduled ${s.scheduled_requests}`);
  }
  // Requests that failed (aborted at a stop, refused) may never have reached the target: answered ones did.
  if (targetCount < s.successful_requests) out.push(`the target counted ${targetCount}, fewer than the ${s.successful_requests} answered`);
  if (targetCount > s.total_requests + s.unaccounted_max) out.push(`the target counted ${targetCount}, more than sent ${s.total_requests} + unaccounted_max ${s.unaccounted_max}`);
  return out;
}

/**
 * A completed execution scheduled exactly the plan's arrivals, each with one fate: none lost between two
 * generators (a share moved while they heard of it late), none counted on two; and no generator that
 * ran to its end left some of its share's arrivals counted nowhere.
 */
export function checkSchedule(e: ExecutionView, planned: number): string[] {
  const s = e.report?.summary;
  if (!s || e.status !== 'completed') return [];
  const out: string[] = [];
  if (s.scheduled_requests !== planned) out.push(`scheduled ${s.scheduled_requests} of the plan's ${planned}`);
  for (const r of e.report?.unaccounted?.runs ?? []) if (r.reason === SHORT_RUN) out.push(`node ${r.node} ran to its end yet left ${r.unaccounted} of its share's arrivals unreported`);
  return out;
}

/** Ended, with a reason when not completed, by its start plus duration plus 30 s. */
export function checkEnded(e: ExecutionView | undefined, deadlineMs: number, endedAtMs: number): string[] {
  if (!e) return ['no peer could read the execution'];
  if (!FINAL.includes(e.status)) return [`still ${e.status} ${Math.round((endedAtMs - deadlineMs) / 1000)} s after its deadline`];
  const out: string[] = [];
  if (e.status !== 'completed' && !e.error) out.push(`${e.status} without a reason`);
  if (endedAtMs > deadlineMs) out.push(`ended ${endedAtMs - deadlineMs} ms after duration + 30 s`);
  return out;
}

/** The same status and figures on every replica. */
export function checkConverged(views: (ExecutionView | undefined)[]): string[] {
  const keys = views.map((v) => (v ? JSON.stringify([v.status, v.report?.summary.total_requests, v.report?.summary.scheduled_requests, v.report?.summary.unaccounted_requests]) : 'unreadable'));
  if (new Set(keys).size === 1) return [];
  const versions = views.map((v) => (v ? `term ${v.term}, coordinator ${v.coordinator?.slice(-6)}` : '-'));
  return [`replicas differ: ${keys.map((k, i) => `${k} (${versions[i]})`).join(' / ')}`];
}
