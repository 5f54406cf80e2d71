// Anti-entropy decisions, as pure functions: what a peer's digest says it holds, what another peer holds
// that it lacks, and whom to ask next. The driver reads the store and sends; nothing here does.
import type { DigestEntry } from '../../../src/protocol/peer-protocol.js';
import { subtract, toRanges, type SeqRange } from './seq-ranges.js';
import { FINAL_STATUSES } from '../../../src/execution/contract.js';

export interface Version {
  term: number;
  version: number;
  /** The execution had ended (a final status) in this version. */
  final?: boolean;
}

/**
 * Replicas are ordered by the coordinator's term, then by its version within the term; but an ended
 * version comes after every unfinished one, whatever their terms, and of two ended ones the first end
 * (the lower term) stands. Offices never overlap (a coordinator decides nothing without its lease), and
 * an office takes over only unfinished executions, so an unfinished version under a higher term than an
 * ended one, or a second end under a higher term, can only come from a coordinator that took office with
 * a stale replica (it missed the end, and its gathering of the others' timed out) and took the execution
 * over from it: an execution that ended never runs again (FINAL_STATUSES), and its figures never change.
 */
export function isNewer(a: Version, than: Version | undefined): boolean {
  if (!than) return true;
  const [af, tf] = [a.final === true, than.final === true];
  if (af !== tf) return af;
  if (af && a.term !== than.term) return a.term < than.term;
  return a.term > than.term || (a.term === than.term && a.version > than.version);
}

/** A document's place in that order. */
export const versionOf = (doc: { term: number; version: number; status: string }): Version => ({ term: doc.term, version: doc.version, final: isFinalStatus(doc.status) });

export function isFinalStatus(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

export interface MissingDeltas {
  execution_id: string;
  run_id: string;
  ranges: SeqRange[];
}

export interface Lack {
  /** Executions whose document the asker lacks or holds in an older version, in the order given. */
  docs: string[];
  /** Deltas the asker does not hold. */
  deltas: MissingDeltas[];
}

/** What `mine` holds that `theirs` does not: newer documents and the deltas missing from their ranges. */
export function whatTheyLack(theirs: readonly DigestEntry[], mine: readonly DigestEntry[]): Lack {
  const known = new Map(theirs.map((e) => [e.execution_id, e]));
  const lack: Lack = { docs: [], deltas: [] };
  for (const entry of mine) {
    const their = known.get(entry.execution_id);
    if (isNewer(entry, their)) lack.docs.push(entry.execution_id);
    const theirRuns = new Map((their?.runs ?? []).map((r) => [r.run_id, r.ranges]));
    for (const run of entry.runs) {
      const ranges = subtract(run.ranges, theirRuns.get(run.run_id) ?? []);
      if (ranges.length > 0) lack.deltas.push({ execution_id: entry.execution_id, run_id: run.run_id, ranges });
    }
  }
  return lack;
}

export interface Head extends Version {
  execution_id: string;
  status: string;
  created_at: number;
}

/** Always in a digest, whatever their age: an execution still running is where a replica falls behind. */
export const UNFINISHED: readonly string[] = ['pending', 'running'];

/**
 * What a digest covers: every unfinished execution, then the newest others up to `limit`, newest first.
 * `since` is the oldest creation time covered when the limit is reached (0 when fewer are held), so the
 * answering peer compares the same stretch of history; older history is compared page by page from there.
 */
export function digestScope(unfinished: readonly Head[], newest: readonly Head[], limit: number): { heads: Head[]; since: number } {
  const kept = newest.slice(0, limit);
  const full = kept.length === limit && kept.length > 0;
  return { heads: dedupe([...unfinished.slice(0, MAX_UNFINISHED_IN_DIGEST), ...kept]), since: full ? kept[kept.length - 1]!.created_at : 0 };
}

/** Every this many rounds, one compares a page of older history instead of the newest. */
export const PAGE_EVERY = 3;

/**
 * Where the next page of older history starts, after a page [since, before) was compared: the same page
 * again while it brought something or was cut, then the older one, and from the newest again at the end.
 */
export function nextPage(before: number, since: number, broughtSomething: boolean): number | undefined {
  if (broughtSomething) return before;
  return since > 0 ? since : undefined;
}

/** A digest stays within what a receiver accepts (1,024 entries) even with very many unfinished executions. */
export const MAX_UNFINISHED_IN_DIGEST = 512;

/** What the answering peer compares: its unfinished executions, those the asker named, and its newest since `since`. */
export function answerScope(unfinished: readonly Head[], named: readonly Head[], newestSince: readonly Head[]): Head[] {
  return dedupe([...unfinished, ...named, ...newestSince]);
}

function dedupe(heads: readonly Head[]): Head[] {
  const seen = new Set<string>();
  return heads.filter((h) => !seen.has(h.execution_id) && seen.add(h.execution_id));
}

/** The ranges of one run: a contiguous span needs no seq list; a run with gaps reads its seqs. */
export function runRanges(span: { count: number; first: number; last: number }, seqs: () => number[]): SeqRange[] {
  return span.count === span.last - span.first + 1 ? [[span.first, span.last]] : toRanges(seqs());
}

/** Round robin over the peers, in a stable order, starting after the last one asked. */
export function nextPeer(peers: readonly string[], last: string | undefined): string | undefined {
  if (peers.length === 0) return undefined;
  const sorted = [...peers].sort();
  const next = last === undefined ? -1 : sorted.findIndex((p) => p > last);
  return next === -1 ? sorted[0] : sorted[next];
}

/** Take items in order while their sizes fit `budget`; always at least one, so progress is made. */
export function withinBudget<T>(items: Iterable<T>, size: (item: T) => number, budget: number): { taken: T[]; more: boolean } {
  const taken: T[] = [];
  let used = 0;
  for (const item of items) {
    const s = size(item);
    if (taken.length > 0 && used + s > budget) return { taken, more: true };
    taken.push(item);
    used += s;
  }
  return { taken, more: false };
}
