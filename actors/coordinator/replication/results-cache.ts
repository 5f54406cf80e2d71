// Merged results kept up to date as deltas arrive, on the coordinator and on every replica, so that no
// read merges stored deltas again. An LRU bounds the memory: a finished execution keeps only its document
// (which holds the final report) and its per-node counts, and an evicted one is reloaded on demand.
import { LRUCache } from 'lru-cache';
import type { ExecutionReads, ExecutionResults, ExecutionView } from '../../../src/execution/ports.js';
import { mergeDelta, type LoadResults, type ResultsDelta } from '../../../src/stats/index.js';
import type { Store, StoredDelta } from '../../../src/store/store.js';
import type { ExecutionReport } from '../../../src/report/index.js';
import { parseRunId, type ExecutionDoc } from '../../../src/execution/contract.js';
import { mergedResults, reportFor } from '../../../src/execution/view.js';
import { isNewer } from './digest.js';

interface Entry {
  doc: ExecutionDoc;
  /** Merged per task; absent once the execution has its final report, and rebuilt when asked for. */
  results: LoadResults[] | undefined;
  requestsByNode: Record<string, number>;
  /** The last report of an ended execution: with `finished_at` set it depends on nothing but the doc and the results. */
  memo?: { doc: ExecutionDoc; term: number; version: number; parts: LoadResults[]; report: ExecutionReport };
}

export const DEFAULT_CACHED_EXECUTIONS = 64;

const hasFinalReport = (doc: ExecutionDoc) => (doc.status === 'completed' || doc.status === 'failed') && doc.report !== undefined;

export class ResultsCache implements ExecutionResults, ExecutionReads {
  readonly #store: Store;
  readonly #entries: LRUCache<string, Entry>;

  constructor(store: Store, maxExecutions = DEFAULT_CACHED_EXECUTIONS) {
    this.#store = store;
    this.#entries = new LRUCache({ max: maxExecutions });
  }

  addDelta(d: StoredDelta): boolean {
    if (!this.#store.addDelta(d)) return false;
    // `get`: an execution whose deltas are arriving stays among the most recently used.
    const entry = this.#entries.get(d.execution_id);
    if (entry) fold(entry, d);
    return true;
  }

  results(doc: ExecutionDoc): LoadResults[] {
    const entry = this.#entry(doc.execution_id, doc);
    return (entry.results ??= this.#merge(entry));
  }

  report(doc: ExecutionDoc, now: number): ExecutionReport {
    if (hasFinalReport(doc)) return doc.report!;
    return this.#reportOf(this.#entry(doc.execution_id, doc), doc, now);
  }

  /** A newer version of a document was stored: serve it from now on. */
  docStored(doc: ExecutionDoc): void {
    const entry = this.#entries.peek(doc.execution_id);
    if (entry && isNewer(doc, entry.doc)) this.#adopt(entry, doc);
  }

  view(executionId: string, now: number): ExecutionView | undefined {
    const head = this.#store.head(executionId);
    if (!head) return undefined;
    let entry = this.#entries.get(executionId);
    // Whoever wrote the store (this peer's coordinator, a replica, a POST), the stored version wins.
    if (!entry || entry.doc.term !== head.term || entry.doc.version !== head.version) {
      const doc = this.#store.getExecution(executionId)!.doc;
      if (entry) this.#adopt(entry, doc);
      else entry = this.#entry(executionId, doc);
    }
    const { doc } = entry;
    if (hasFinalReport(doc)) entry.results = undefined;
    const report = hasFinalReport(doc) ? doc.report! : this.#reportOf(entry, doc, now);
    return { doc, report, requestsByNode: entry.requestsByNode };
  }

  /**
   * A report is built once per change of its doc or results (a delta folded in), not on every read. While
   * the execution runs, only its `finished_at` (now) moves between deltas: rates are per the plan's duration.
   */
  #reportOf(entry: Entry, doc: ExecutionDoc, now: number): ExecutionReport {
    const results = (entry.results ??= this.#merge(entry));
    if (entry.memo && memoFits(entry.memo, doc, results)) return doc.finished_at !== null ? entry.memo.report : asOf(entry.memo.report, doc, now);
    const report = reportFor(doc, results, now);
    entry.memo = { doc, term: doc.term, version: doc.version, parts: [...results], report };
    return report;
  }

  #entry(executionId: string, doc: ExecutionDoc): Entry {
    let entry = this.#entries.get(executionId);
    if (!entry) {
      const requestsByNode: Record<string, number> = {};
      for (const [run, requests] of this.#store.requestsByRun(executionId)) addTo(requestsByNode, parseRunId(run).node, requests);
      entry = { doc, results: undefined, requestsByNode };
      this.#entries.set(executionId, entry);
    } else if (isNewer(doc, entry.doc)) {
      this.#adopt(entry, doc);
    }
    return entry;
  }

  #adopt(entry: Entry, doc: ExecutionDoc): void {
    entry.doc = doc;
    if (hasFinalReport(doc)) entry.results = undefined;
  }

  #merge(entry: Entry): LoadResults[] {
    return mergedResults(entry.doc, this.#store.deltas(entry.doc.execution_id));
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
