// Follows the store's deltas (a row cursor, cheap to poll) and keeps, for each execution that is running
// or just ended, its results merged per task and per node, and a per-second series per node and merged.
// The live page, the Prometheus metrics and /api/metrics all read from one feed, so a delta is folded once.
import type { Store } from '../store/store.js';
import { addEncodedHistograms, emptyResults, withDecoded, mergeDelta, percentileMs, resultsBytes, type LoadResults, type ResultsDelta, type SecondResults } from '../stats/index.js';
import type { ExecutionDoc } from '../execution/contract.js';
import { parseRunId } from '../execution/contract.js';

/** One second of a series: requests and errors in it, latency percentiles (ms) of its requests. */
export interface SeriesPoint {
  t: number;
  rps: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Points that changed, by series: a node id, or MERGED for the whole cluster. */
export type SeriesUpdate = Record<string, SeriesPoint[]>;

export const MERGED = '*';
const ACTIVE = ['pending', 'running'];

interface Tracked {
  doc: ExecutionDoc;
  byTask: LoadResults[];
  byNode: Map<string, LoadResults>;
  /** Computed points by series and second; recomputed only where a delta touched them. */
  points: Map<string, Map<number, SeriesPoint>>;
  dirty: Map<string, Set<number>>;
  /** When the execution was seen ended (epoch ms), for retention. */
  endedAt: number | null;
  /** Estimated bytes held, counted when it ended (it changes no more, but for a rare late delta). */
  bytes: number;
}

export interface FeedOptions {
  /** How long an ended execution's series stay (ms): long enough for a last scrape and a last look. */
  retainMs?: number;
  /**
   * At most this many ended executions stay, the most recently ended (each holds its merged results,
   * histograms included: about 1 MB). Without it a peer running short executions back to back held two
   * minutes of them: 100+ MB (scripts/measure-memory.ts).
   */
  maxEnded?: number;
  /** And at most this many bytes of them, estimated (default 8 MiB); the most recently ended always stays. */
  maxEndedBytes?: number;
}

export function pointOf(t: number, s: SecondResults): SeriesPoint {
  // percentileMs gives 0 for an empty histogram ('' decodes to one).
  return withDecoded(s.latency, (h) => ({ t, rps: s.requests, errors: s.errors, p50: percentileMs(h, 50), p95: percentileMs(h, 95), p99: percentileMs(h, 99) }));
}

export class ExecutionFeed {
  readonly #store: Store;
  readonly #retainMs: number;
  readonly #maxEnded: number;
  readonly #maxEndedBytes: number;
  readonly #tracked = new Map<string, Tracked>();
  #cursor: number;
  /** Wall time at which the feed last saw new deltas: the start of "delta shown" latency. */
  lastArrivalAt = 0;

  constructor(store: Store, options: FeedOptions = {}) {
    this.#store = store;
    this.#retainMs = options.retainMs ?? 120_000;
    this.#maxEnded = options.maxEnded ?? 8;
    this.#maxEndedBytes = options.maxEndedBytes ?? 8 * 1024 * 1024;
    this.#cursor = store.lastDeltaRow();
    for (const e of store.listExecutions(ACTIVE)) this.#track(e.doc as ExecutionDoc);
  }

  /** Reads new deltas and execution states. Returns the ids of executions whose results changed. */
  poll(now: number): Set<string> {
    const changed = new Set<string>();
    if (this.#store.lastDeltaRow() > this.#cursor) {
      for (const row of this.#store.deltasAfter(this.#cursor)) {
        this.#cursor = row.rowid;
        let tracked = this.#tracked.get(row.execution_id);
        if (!tracked) {
          const stored = this.#store.getExecution(row.execution_id);
          // Deltas of executions long over (a late replica) are not live: the report has them.
          if (!stored || !ACTIVE.includes(stored.status)) continue;
          tracked = this.#track(stored.doc as ExecutionDoc); // folds every stored delta, this one too
        } else this.#fold(tracked, row.run_id, row.delta as ResultsDelta);
        changed.add(row.execution_id);
      }
      if (changed.size > 0) this.lastArrivalAt = now;
    }
    this.#refreshDocs(now);
    return changed;
  }

  /** Executions followed: running, pending, or ended within the retention. */
  executions(): ExecutionDoc[] {
    return [...this.#tracked.values()].map((t) => t.doc);
  }

  /** Executions followed now, ended ones among them, and the estimated bytes of the ended (what the bounds limit). */
  held(): { executions: number; ended: number; endedBytes: number } {
    const ended = [...this.#tracked.values()].filter((t) => t.endedAt !== null);
    return { executions: this.#tracked.size, ended: ended.length, endedBytes: ended.reduce((sum, t) => sum + t.bytes, 0) };
  }

  results(executionId: string): { byTask: LoadResults[]; byNode: Map<string, LoadResults> } | undefined {
    const t = this.#tracked.get(executionId);
    return t && { byTask: t.byTask, byNode: t.byNode };
  }

  /** Every point of every series of an execution (for a page that just opened). */
  series(executionId: string): SeriesUpdate {
    const t = this.#tracked.get(executionId);
    if (!t) return {};
    // Points not yet computed come with the next update: computing them here would hide them from it.
    const out: SeriesUpdate = {};
    for (const [key, points] of t.points) out[key] = [...points.values()].sort((a, b) => a.t - b.t);
    return out;
  }

  /** Points changed since the last call, computed once whatever the number of readers. */
  takeUpdates(executionId: string): SeriesUpdate {
    const t = this.#tracked.get(executionId);
    if (!t) return {};
    return this.#compute(t);
  }

  #track(doc: ExecutionDoc): Tracked {
    const tracked: Tracked = { doc, byTask: doc.plan.tasks.map(() => emptyResults()), byNode: new Map(), points: new Map(), dirty: new Map(), endedAt: null, bytes: 0 };
    this.#tracked.set(doc.execution_id, tracked);
    for (const d of this.#store.deltas(doc.execution_id)) this.#fold(tracked, d.run_id, d.delta as ResultsDelta);
    return tracked;
  }

  #fold(t: Tracked, runId: string, delta: ResultsDelta): void {
    const { task, node } = parseRunId(runId);
    if (t.byTask[task]) t.byTask[task] = mergeDelta(t.byTask[task]!, delta);
    t.byNode.set(node, mergeDelta(t.byNode.get(node) ?? emptyResults(), delta));
    for (const key of [node, MERGED]) {
      let set = t.dirty.get(key);
      if (!set) t.dirty.set(key, (set = new Set()));
      for (const s of delta.seconds) set.add(s.t);
    }
  }

  #compute(t: Tracked): SeriesUpdate {
    const out: SeriesUpdate = {};
    for (const [key, seconds] of t.dirty) {
      const source = key === MERGED ? mergedSeconds(t.byTask) : (t.byNode.get(key)?.seconds ?? {});
      let points = t.points.get(key);
      if (!points) t.points.set(key, (points = new Map()));
      const changed: SeriesPoint[] = [];
      for (const second of [...seconds].sort((a, b) => a - b)) {
        const s = source[second];
        if (!s) continue;
        const p = pointOf(second, s);
        points.set(second, p);
        changed.push(p);
      }
      if (changed.length > 0) out[key] = changed;
    }
    t.dirty.clear();
    return out;
  }

  #refreshDocs(now: number): void {
    for (const [id, t] of this.#tracked) {
      const stored = this.#store.getExecution(id);
      if (stored && stored.version !== t.doc.version) t.doc = stored.doc as ExecutionDoc;
      if (t.endedAt === null && !ACTIVE.includes(t.doc.status)) {
        t.endedAt = now;
        t.bytes = trackedBytes(t);
      }
      if (t.endedAt !== null && now - t.endedAt > this.#retainMs) this.#tracked.delete(id);
    }
    const ended = [...this.#tracked].filter(([, t]) => t.endedAt !== null).sort((a, b) => a[1].endedAt! - b[1].endedAt!);
    let bytes = ended.reduce((sum, [, t]) => sum + t.bytes, 0);
    for (let i = 0; i < ended.length - 1 && (ended.length - i > this.#maxEnded || bytes > this.#maxEndedBytes); i++) {
      bytes -= ended[i]![1].bytes;
      this.#tracked.delete(ended[i]![0]);
    }
    // Executions submitted since the last look, before their first delta.
    for (const e of this.#store.listExecutions(ACTIVE)) if (!this.#tracked.has(e.execution_id)) this.#track(e.doc as ExecutionDoc);
  }
}

function trackedBytes(t: Tracked): number {
  let bytes = 1024;
  for (const r of t.byTask) bytes += resultsBytes(r);
  for (const r of t.byNode.values()) bytes += resultsBytes(r);
  for (const points of t.points.values()) bytes += 128 * points.size;
  return bytes;
}

/** Seconds of several tasks (which run together) added up. */
function mergedSeconds(byTask: LoadResults[]): Record<number, SecondResults> {
  if (byTask.length === 1) return byTask[0]!.seconds;
  const out: Record<number, SecondResults> = {};
  for (const r of byTask) {
    for (const [k, s] of Object.entries(r.seconds)) {
      const old = out[Number(k)];
      out[Number(k)] = old ? { requests: old.requests + s.requests, errors: old.errors + s.errors, dropped: old.dropped + s.dropped, latency: addEncodedHistograms(old.latency, s.latency) } : s;
    }
  }
  return out;
}
