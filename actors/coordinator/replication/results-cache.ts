// Merged results kept up to date as deltas arrive, on the coordinator and on every replica, so that no
// read merges stored deltas again. An LRU bounded by bytes as well as by entries holds them: a finished
// execution keeps only its document (which holds the final report) and its per-node counts, and an evicted
// one is reloaded from the store on demand.
import { LRUCache } from 'lru-cache';
import type { ExecutionReads, ExecutionResults, ExecutionView } from '../../../src/execution/ports.js';
import { mergeDelta, resultsBytes, type LoadResults, type ResultsDelta } from '../../../src/stats/index.js';
import type { Store, StoredDelta } from '../../../src/store/store.js';
import type { ExecutionReport } from '../../../src/report/index.js';
import { parseRunId, type ExecutionDoc } from '../../../src/execution/contract.js';
import { mergedResults, reportFor } from '../../../src/execution/view.js';
import { isNewer, versionOf } from './digest.js';

interface Entry {
  doc: ExecutionDoc;
  /** Estimated bytes of `doc` (a JSON length, counted when the doc is adopted). */
  docBytes: number;
  /** Merged per task; absent once the execution has its final report, and rebuilt when asked for. */
  results: LoadResults[] | undefined;
  requestsByNode: Record<string, number>;
  /** The last built report, while the execution can still change: rebuilt only when the doc or results change. */
  memo?: { doc: ExecutionDoc; term: number; version: number; parts: LoadResults[]; report: ExecutionReport; bytes: number };
  /** Changes whenever what a read serves changes (see ExecutionView.revision). */
  revision: number;
  /** The store's execution writes when `doc` was last found to be the stored version (-1: not since it changed). */
  checkedAt: number;
}

export interface ResultsCacheLimits {
  /** Executions held at most (default 64). */
  executions?: number;
  /** Bytes held at most, estimated (default 16 MiB): decoded histograms are about 150 KB each. */
  bytes?: number;
}

export const DEFAULT_CACHED_EXECUTIONS = 64;
export const DEFAULT_CACHED_BYTES = 16 * 1024 * 1024;

const endsWithReport = (doc: ExecutionDoc) => doc.status === 'completed' || doc.status === 'failed';
const hasFinalReport = (doc: ExecutionDoc) => endsWithReport(doc) && doc.report !== undefined;
const awaitsFinalReport = (doc: ExecutionDoc) => endsWithReport(doc) && doc.report === undefined;
/** UTF-16 in memory, and the objects around the characters: a JSON length counts about half. */
const jsonBytes = (value: unknown) => 2 * JSON.stringify(value).length;

function entryBytes(entry: Entry): number {
  let bytes = 512 + entry.docBytes + 64 * Object.keys(entry.requestsByNode).length + (entry.memo?.bytes ?? 0);
  for (const r of entry.results ?? []) bytes += resultsBytes(r);
  return bytes;
}

export class ResultsCache implements ExecutionResults, ExecutionReads {
  readonly #store: Store;
  readonly #entries: LRUCache<string, Entry>;
  /** Revisions come from one counter, so an entry evicted and loaded again never repeats an old one. */
  #revisions = 0;

  constructor(store: Store, limits: ResultsCacheLimits | number = {}) {
    this.#store = store;
    const { executions = DEFAULT_CACHED_EXECUTIONS, bytes = DEFAULT_CACHED_BYTES } = typeof limits === 'number' ? { executions: limits } : limits;
    // An entry over the byte bound alone is not held (each read then merges it again) rather than evicting every other.
    this.#entries = new LRUCache({ max: executions, maxSize: bytes, sizeCalculation: (entry) => Math.max(1, entryBytes(entry)) });
  }

  addDelta(d: StoredDelta): boolean {
    if (!this.#store.addDelta(d)) return false;
    // `get`: an execution whose deltas are arriving stays among the most recently used.
    const entry = this.#entries.get(d.execution_id);
    if (entry) {
      fold(entry, d);
      entry.revision = ++this.#revisions;
      this.#resized(entry);
    }
    return true;
  }

  results(doc: ExecutionDoc): LoadResults[] {
    const entry = this.#entry(doc.execution_id, doc);
    return entry.results ?? this.#withResults(entry);
  }

  report(doc: ExecutionDoc, now: number): ExecutionReport {
    if (hasFinalReport(doc)) return doc.report!;
    return this.#reportOf(this.#entry(doc.execution_id, doc), doc, now);
  }

  /** A newer version of a document was stored: serve it from now on. */
  docStored(doc: ExecutionDoc): void {
    const entry = this.#entries.peek(doc.execution_id);
    if (entry && isNewer(versionOf(doc), versionOf(entry.doc))) this.#adopt(entry, doc);
  }

  view(executionId: string, now: number): ExecutionView | undefined {
    let entry = this.#entries.get(executionId);
    const writes = this.#store.executionWrites;
    // Whoever wrote the store (this peer's coordinator, a replica, a POST), the stored version wins; while
    // no execution row was written since this entry was checked, it still is the stored one.
    if (!entry || entry.checkedAt !== writes) {
      const head = this.#store.head(executionId);
      if (!head) return undefined;
      // The coordinator builds the final report from the version that ended, and stores that same version
      // with the report: the stored one is the one to hold (its results can then leave memory).
      if (!entry || entry.doc.term !== head.term || entry.doc.version !== head.version || awaitsFinalReport(entry.doc)) {
        const doc = this.#store.getExecution(executionId)!.doc;
        if (entry) this.#adopt(entry, doc);
        else entry = this.#entry(executionId, doc);
      }
      entry.checkedAt = writes;
    }
    const { doc } = entry;
    const report = hasFinalReport(doc) ? doc.report! : this.#reportOf(entry, doc, now);
    return { doc, report, requestsByNode: entry.requestsByNode, revision: entry.revision };
  }

  /** Executions and estimated bytes held now (what the bounds limit). */
  held(): { executions: number; bytes: number; withResults: number } {
    let withResults = 0;
    for (const entry of this.#entries.values()) if (entry.results) withResults++;
    return { executions: this.#entries.size, bytes: this.#entries.calculatedSize, withResults };
  }

  /**
   * A report is built once per change of its doc or results (a delta folded in), not on every read. While
   * the execution runs, only its `finished_at` (now) moves between deltas: rates are per the plan's duration.
   */
  #reportOf(entry: Entry, doc: ExecutionDoc, now: number): ExecutionReport {
    const results = entry.results ?? this.#withResults(entry);
    if (entry.memo && memoFits(entry.memo, doc, results)) return doc.finished_at !== null ? entry.memo.report : asOf(entry.memo.report, doc, now);
    const report = reportFor(doc, results, now);
    entry.memo = { doc, term: doc.term, version: doc.version, parts: [...results], report, bytes: jsonBytes(report) };
    this.#resized(entry);
    return report;
  }

  #withResults(entry: Entry): LoadResults[] {
    entry.results = mergedResults(entry.doc, this.#store.deltas(entry.doc.execution_id));
    this.#resized(entry);
    return entry.results;
  }

  #entry(executionId: string, doc: ExecutionDoc): Entry {
    let entry = this.#entries.get(executionId);
    if (!entry) {
      const requestsByNode: Record<string, number> = {};
      for (const [run, requests] of this.#store.requestsByRun(executionId)) addTo(requestsByNode, parseRunId(run).node, requests);
      entry = { doc, docBytes: jsonBytes(doc), results: undefined, requestsByNode, revision: ++this.#revisions, checkedAt: -1 };
      this.#entries.set(executionId, entry);
    } else if (isNewer(versionOf(doc), versionOf(entry.doc))) {
      this.#adopt(entry, doc);
    }
    return entry;
  }

  /** A finished execution's report is in its doc: its merged results and last built report leave memory. */
  #adopt(entry: Entry, doc: ExecutionDoc): void {
    entry.doc = doc;
    entry.checkedAt = -1;
    entry.docBytes = jsonBytes(doc);
    entry.revision = ++this.#revisions;
    if (hasFinalReport(doc)) {
      entry.results = undefined;
      delete entry.memo;
    }
    this.#resized(entry);
  }

  /**
   * Counts an entry's new size against the bound (and may evict others, or this one if it alone is over).
   * Set again as new: lru-cache recounts the size only when the value set differs from the one held.
   */
  #resized(entry: Entry): void {
    const id = entry.doc.execution_id;
    if (this.#entries.peek(id) !== entry) return;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
  }
}

/** Merged results are replaced, never changed in place: the same parts mean the same results. */
function memoFits(memo: NonNullable<Entry['memo']>, doc: ExecutionDoc, results: readonly LoadResults[]): boolean {
  const sameDoc = memo.doc === doc && memo.term === doc.term && memo.version === doc.version;
  return sameDoc && memo.parts.length === results.length && memo.parts.every((p, i) => p === results[i]);
}

/** A running execution's memoised report, as of now: the same figures, a later `finished_at`. */
function asOf(report: ExecutionReport, doc: ExecutionDoc, now: number): ExecutionReport {
  const startedAt = doc.start_at ?? doc.created_at;
  const finishedAt = new Date(Math.max(startedAt, now)).toISOString();
  if (report.finished_at === finishedAt) return report;
  return { ...report, finished_at: finishedAt, ...(report.tasks ? { tasks: report.tasks.map((t) => ({ ...t, finished_at: finishedAt })) } : {}) };
}

function addTo(counts: Record<string, number>, node: string, n: number): void {
  counts[node] = (counts[node] ?? 0) + n;
}

/** Fold one newly stored delta into an entry (merging is idempotent per run and seq). */
function fold(entry: Entry, d: StoredDelta): void {
  const delta = d.delta as ResultsDelta;
  addTo(entry.requestsByNode, parseRunId(d.run_id).node, delta.totals?.requests ?? 0);
  if (!entry.results) return;
  const { task } = parseRunId(d.run_id);
  const current = entry.results[task];
  if (current) entry.results[task] = mergeDelta(current, delta);
}
