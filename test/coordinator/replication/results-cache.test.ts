// Merged results kept up to date on every peer, with real SQLite files: folding on arrival gives what
// merging every stored delta from scratch gives, a stale replica never overwrites a newer one, a finished
// execution serves its stored final report, and an evicted execution is reloaded the same.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CACHED_EXECUTIONS, ResultsCache } from '../../../actors/coordinator/replication/results-cache.js';
import { acceptAll, acceptDelta, acceptDoc } from '../../../actors/coordinator/replication/intake.js';
import { mergedResults, reportFor } from '../../../src/execution/view.js';
import type { Store } from '../../../src/store/store.js';
import { deltasOf, docOf, openStore } from './fixtures.js';

const stores: Store[] = [];
const fresh = () => {
  const store = openStore();
  stores.push(store);
  return { store, results: new ResultsCache(store, 4) };
};
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('merged results kept up to date', () => {
  it('deltas folded as they arrive equal a merge from scratch, in any order, each counted once', () => {
    const intake = fresh();
    const doc = docOf('e1');
    acceptDoc(intake, doc);
    const deltas = [...deltasOf('e1', 0, 'a', 6), ...deltasOf('e1', 0, 'b', 4), ...deltasOf('e1', 1, 'a', 5)];
    const first = intake.results.view('e1', 9_000)!; // cached before any delta: every later one is folded in
    expect(first.report.summary.total_requests).toBe(0);
    const shuffled = [...deltas].reverse();
    for (const d of shuffled) expect(acceptDelta(intake, d)).toBe(true);
    for (const d of shuffled.slice(0, 5)) expect(acceptDelta(intake, d)).toBe(false); // again: stored once
    const scratch = mergedResults(doc, intake.store.deltas('e1'));
    const view = intake.results.view('e1', 9_000)!;
    expect(view.report).toEqual(reportFor(doc, scratch, 9_000));
    expect(view.report.summary.total_requests).toBe(15 * 5);
    expect(view.requestsByNode).toEqual({ a: 11 * 5, b: 4 * 5 });
    expect(intake.results.results(doc)[0]!.sources['e1:0:a']).toMatchObject({ upTo: 6, extra: [], final: true });
  });

  it('a delta that names another execution, or another seq than its own, is refused', () => {
    const intake = fresh();
    const [d] = deltasOf('e1', 0, 'a', 1);
    expect(acceptDelta(intake, { ...d!, execution_id: 'e2' })).toBe(false);
    expect(acceptDelta(intake, { ...d!, seq: 7 })).toBe(false);
    expect(intake.store.deltas('e1')).toHaveLength(0);
  });

  it('an execution evicted from the cache is reloaded from the store with the same results', () => {
    const intake = fresh();
    acceptDoc(intake, docOf('e1'));
    for (const d of deltasOf('e1', 0, 'a', 3)) acceptDelta(intake, d);
    const before = intake.results.view('e1', 9_000)!;
    for (let i = 2; i <= 6; i++) {
      acceptDoc(intake, docOf(`e${i}`));
      intake.results.view(`e${i}`, 9_000); // four fit: e1 leaves memory
    }
    for (const d of deltasOf('e1', 0, 'a', 4).slice(3)) acceptDelta(intake, d); // arrives while evicted
    const after = intake.results.view('e1', 9_000)!;
    expect(after.report.summary.total_requests).toBe(before.report.summary.total_requests + 5);
    expect(after.requestsByNode).toEqual({ a: 20 });
  });
});

describe('replicas ordered by (term, version)', () => {
  it.each([
    ['a lower version of the same term', { term: 2, version: 4 }],
    ['the same version', { term: 2, version: 5 }],
    ['a higher version of an older term', { term: 1, version: 99 }],
  ])('%s never overwrites the newer one', (_, stale) => {
    const intake = fresh();
    expect(acceptDoc(intake, docOf('e1', { term: 2, version: 5, status: 'completed', name: 'newer' }))).toBe(true);
    expect(intake.results.view('e1', 9_000)!.doc.name).toBe('newer');
    expect(acceptDoc(intake, docOf('e1', { ...stale, status: 'running', name: 'stale' }))).toBe(false);
    const stored = intake.store.getExecution('e1')!;
    expect([stored.term, stored.version, stored.status]).toEqual([2, 5, 'completed']);
    expect(intake.results.view('e1', 9_000)!.doc.name).toBe('newer');
  });

  it('a newer one replaces the older, in the store and in what reads serve', () => {
    const intake = fresh();
    acceptDoc(intake, docOf('e1', { term: 1, version: 3 }));
    expect(intake.results.view('e1', 9_000)!.doc.status).toBe('running');
    expect(acceptDoc(intake, docOf('e1', { term: 2, version: 1, status: 'failed', error: 'x' }))).toBe(true);
    expect(intake.results.view('e1', 9_000)!.doc).toMatchObject({ status: 'failed', term: 2, version: 1 });
  });

  it('a batch pulled from a peer keeps only what is newer and new', () => {
    const intake = fresh();
    acceptDoc(intake, docOf('e1', { term: 3, version: 1 }));
    const deltas = deltasOf('e1', 0, 'a', 4);
    acceptDelta(intake, deltas[0]!);
    const got = acceptAll(intake, [docOf('e1', { term: 2, version: 8 }), docOf('e2')], deltas);
    expect(got).toEqual({ docs: 1, deltas: 3 });
    expect(intake.store.getExecution('e1')!.term).toBe(3);
  });
});

describe('a running execution read while deltas arrive', () => {
  it('builds its report once per delta: reads in between share its figures and only finished_at moves', () => {
    const intake = fresh();
    const doc = docOf('e1');
    acceptDoc(intake, doc);
    const deltas = deltasOf('e1', 0, 'a', 4);
    acceptDelta(intake, deltas[0]!);
    const first = intake.results.view('e1', 9_000)!.report;
    const second = intake.results.view('e1', 9_500)!.report;
    // The same built figures (not rebuilt), as of a later moment.
    expect(second.timeseries).toBe(first.timeseries);
    expect(second.summary).toBe(first.summary);
    expect(second.finished_at).toBe(new Date(9_500).toISOString());
    expect(second).toEqual({ ...reportFor(doc, mergedResults(doc, intake.store.deltas('e1')), 9_500) });
    // A new delta: the next read has it, equal to a merge from scratch.
    acceptDelta(intake, deltas[1]!);
    const third = intake.results.view('e1', 9_600)!.report;
    expect(third.timeseries).not.toBe(first.timeseries);
    expect(third.summary.total_requests).toBe(first.summary.total_requests + 5);
    expect(third).toEqual(reportFor(doc, mergedResults(doc, intake.store.deltas('e1')), 9_600));
  });
});

describe('finished executions', () => {
  it('serve the stored final report, not a merge; per-node counts come from the store without decoding deltas', () => {
    const { store } = fresh();
    const deltas = deltasOf('e1', 0, 'a', 3);
    for (const d of deltas) store.addDelta(d);
    const running = docOf('e1');
    const final = { ...reportFor(running, mergedResults(running, deltas), 5_000), status: 'completed' };
    const doc = docOf('e1', { status: 'completed', finished_at: 5_000, version: 9, report: final });
    store.putExecution({ execution_id: 'e1', term: 1, version: 9, status: 'completed', created_at: 1_000, doc });
    // A reader on a fresh cache (a restarted peer): the report is the stored one, object for object.
    const view = new ResultsCache(store).view('e1', 99_000)!;
    expect(view.report).toEqual(final);
    expect(view.requestsByNode).toEqual({ a: 15 });
  });

  it('a cancelled execution (late deltas still count) builds its report once per change, not per read', () => {
    const intake = fresh();
    acceptDoc(intake, docOf('e1', { status: 'cancelled', finished_at: 4_000, version: 3 }));
    const deltas = deltasOf('e1', 0, 'a', 3);
    for (const d of deltas.slice(0, 2)) acceptDelta(intake, d);
    const first = intake.results.view('e1', 9_000)!.report;
    expect(intake.results.view('e1', 12_000)!.report).toBe(first);
    acceptDelta(intake, deltas[2]!);
    const later = intake.results.view('e1', 12_000)!.report;
    expect(later.summary.total_requests).toBe(first.summary.total_requests + 5);
  });

  it('an unknown execution is undefined', () => {
    expect(fresh().results.view('nope', 0)).toBeUndefined();
  });
});

describe('bounded memory', () => {
  /** An execution run to its end here: submitted, deltas folded while it is read, then its final version. */
  function runToEnd(intake: ReturnType<typeof fresh>, id: string): void {
    const doc = docOf(id);
    acceptDoc(intake, doc);
    for (const d of deltasOf(id, 0, 'a', 3)) acceptDelta(intake, d);
    intake.results.view(id, 9_000); // a running read: merged results and a built report
    const final = { ...reportFor(doc, mergedResults(doc, intake.store.deltas(id)), 9_000), status: 'completed' };
    acceptDoc(intake, docOf(id, { status: 'completed', finished_at: 9_000, version: 2, report: final }));
    expect(intake.results.view(id, 9_500)!.report).toEqual(final);
  }

  it('executions run one after another: finished ones keep no merged results, and the cache stays within its bounds', () => {
    const { store } = fresh();
    const intake = { store, results: new ResultsCache(store) };
    for (let i = 0; i < 150; i++) runToEnd(intake, `e${i}`);
    const held = intake.results.held();
    expect(held.executions).toBe(DEFAULT_CACHED_EXECUTIONS);
    expect(held.withResults).toBe(0);
    // A finished entry is its document and counts: a few KB, against about 1 MB with merged results.
    expect(held.bytes / held.executions).toBeLessThan(64 * 1024);
    // The oldest left memory and is read again from the store the same.
    expect(intake.results.view('e0', 9_500)!.doc.status).toBe('completed');
  });

  it('running executions are held within the byte bound, the least recently used leaving first, and read the same after', () => {
    const { store } = fresh();
    const intake = { store, results: new ResultsCache(store, { bytes: 4 * 1024 * 1024 }) };
    const reports = new Map<string, number>();
    for (let i = 0; i < 12; i++) {
      acceptDoc(intake, docOf(`r${i}`));
      for (const d of deltasOf(`r${i}`, 0, 'a', 2)) acceptDelta(intake, d);
      reports.set(`r${i}`, intake.results.view(`r${i}`, 9_000)!.report.summary.total_requests);
    }
    const held = intake.results.held();
    expect(held.bytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(held.executions).toBeLessThan(12);
    expect(held.executions).toBeGreaterThan(0);
    for (const [id, total] of reports) expect(intake.results.view(id, 9_000)!.report.summary.total_requests).toBe(total);
  });

  it('the revision changes with every delta and version, and only then', () => {
    const intake = fresh();
    acceptDoc(intake, docOf('e1'));
    const deltas = deltasOf('e1', 0, 'a', 2);
    const r0 = intake.results.view('e1', 9_000)!.revision;
    expect(intake.results.view('e1', 9_500)!.revision).toBe(r0);
    acceptDelta(intake, deltas[0]!);
    const r1 = intake.results.view('e1', 9_500)!.revision;
    expect(r1).not.toBe(r0);
    acceptDoc(intake, docOf('e1', { version: 2 }));
    const r2 = intake.results.view('e1', 9_500)!.revision;
    expect(r2).not.toBe(r1);
    expect(intake.results.view('e1', 9_600)!.revision).toBe(r2);
  });
});
