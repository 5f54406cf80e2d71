// Every scheduled request has exactly one fate: sent (answered or failed), dropped, or unaccounted. A run
// that ended normally reports sent + dropped = scheduled itself. A run that did not (its generator died,
// froze or refused, and its share moved) is counted from the schedule: the arrivals its share owned up to
// the moment the share moved, less what it reported. Those unaccounted arrivals may or may not have
// reached the target before the generator went quiet, so they are also the upper bound of what the
// target may have seen beyond the report: reported <= target's count <= reported + unaccounted_max.
import type { LoadResults, RunTally } from '../stats/index.js';
import { loadTaskOf } from '../plan/index.js';
import { profileFor } from '../schedule/patterns.js';
import { ownedArrivals, type ShareSpan } from '../schedule/arrivals.js';
import { runIdOf, type Assignment, type ExecutionDoc } from './contract.js';
import type { Accounting, RunAccount } from '../report/accounting.js';

export type { Accounting, RunAccount };

const NONE: RunTally = { requests: 0, dropped: 0, scheduled: 0 };

/** A run that ended normally yet reported fewer arrivals than its share owned. */
export const SHORT_RUN = 'reported fewer arrivals than its share owned';
/** A run that held arrivals back while its share was paused, and was never told whose they were (none was sent). */
export const HELD_BACK = 'held back while its share was paused, never told whose they were (none sent)';

/** The segments a node held, from its shares or (older documents) its one segment since the start. */
function spansOf(a: Assignment, startAt: number): ShareSpan[] {
  const shares = a.shares && a.shares.length > 0 ? a.shares : [{ at: startAt, segment: a.segment }];
  return shares.map((s) => ({ at: s.at - startAt, segment: s.segment }));
}

/**
 * When the node's share stopped being its own (epoch ms; arrivals due before it were its own), Infinity
 * when it ran to the planned end (every arrival, the last one due at the end included), or undefined
 * while the execution runs and the share is still its own.
 */
export function shareEnd(doc: ExecutionDoc, a: Assignment, durationMs: number): number | undefined {
  if (a.moved_at !== undefined) return a.moved_at;
  if (doc.status === 'pending' || doc.status === 'running') return undefined;
  const end = (doc.start_at ?? 0) + durationMs;
  return doc.status === 'cancelled' && doc.finished_at !== null && doc.finished_at < end ? doc.finished_at : Infinity;
}

/** One run's account. `final`: its last delta arrived. */
export function accountRun(doc: ExecutionDoc, task: number, a: Assignment, tally: RunTally, final: boolean): RunAccount {
  const params = loadTaskOf(doc.plan.tasks[task]!);
  const sent = tally.requests;
  // Held back while paused, never told whose: its own unless its share moved (then the schedule up to
  // the move says what was its own, and those after it were the others').
  const held = a.moved_at === undefined ? (tally.held ?? 0) : 0;
  let scheduled = Math.max(tally.scheduled + held, tally.requests + tally.dropped);
  let late = 0;
  let reason: string | undefined;
  const moved = a.moved_at !== undefined;
  // A scan (security_test) has no schedule; a stress test stopped early owes no arrivals after its stop.
  // Every other run is held to its share's arrivals by the schedule: a run that reported fewer than its
  // share owned (it never heard of a share it took over, or lost some when stopped) leaves them
  // unaccounted, never out of `scheduled`.
  if (params && doc.start_at !== null && doc.stopped_early === undefined) {
    const end = shareEnd(doc, a, params.duration * 1000);
    if (end !== undefined && params.model === 'open') {
      const profile = profileFor(params);
      const owned = ownedArrivals(profile, spansOf(a, doc.start_at), end - doc.start_at);
      scheduled = Math.max(scheduled, owned);
      // Its final delta names the shares it applied: arrivals of a share it heard of only after they
      // were due (its run had ended) were never sent. Dropped, as arrivals too late to send are.
      if (final && tally.shares) {
        const ran = ownedArrivals(profile, tally.shares.map((s) => ({ at: s.at - doc.start_at!, segment: s.segment })), end - doc.start_at);
        late = Math.max(0, Math.min(owned - ran, scheduled - tally.requests - tally.dropped));
      }
    }
    reason = moved ? `share moved (${a.reason ?? 'generator failed'})` : !final ? 'no final results' : scheduled - tally.scheduled - late > held ? SHORT_RUN : HELD_BACK;
  } else if (held > 0) reason = HELD_BACK;
  const dropped = tally.dropped + late;
  const unaccounted = scheduled - sent - dropped;
  return { task, node: a.node_id, sent, dropped, scheduled, unaccounted, ...(late > 0 ? { late } : {}), ...(unaccounted > 0 && reason ? { reason } : {}) };
}

/** The accounting of one task (by index) from its merged results. */
export function accountTask(doc: ExecutionDoc, task: number, results: LoadResults): Accounting {
  const out: Accounting = { scheduled: 0, unaccounted: 0, unaccounted_max: 0, late: 0, runs: [] };
  const seen = new Set<string>();
  for (const a of doc.assignments) {
    const run = runIdOf(doc.execution_id, task, a.node_id);
    seen.add(run);
    const source = results.sources[run];
    const account = accountRun(doc, task, a, source?.tally ?? NONE, source?.final ?? false);
    add(out, account);
  }
  // Runs of nodes no longer assigned (a document from before the shares were recorded): as reported.
  for (const [run, source] of Object.entries(results.sources)) {
    if (seen.has(run) || !source.tally) continue;
    out.scheduled += Math.max(source.tally.scheduled, source.tally.requests + source.tally.dropped);
    out.unaccounted += Math.max(0, source.tally.scheduled - source.tally.requests - source.tally.dropped);
  }
  out.unaccounted_max = out.unaccounted;
  return out;
}

function add(out: Accounting, r: RunAccount): void {
  out.scheduled += r.scheduled;
  out.unaccounted += r.unaccounted;
  out.late += r.late ?? 0;
  if (r.unaccounted > 0) out.runs.push(r);
}
