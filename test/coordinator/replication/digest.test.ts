// The pure decisions of anti-entropy: seq ranges, replica order, what a peer lacks, scopes, peer choice.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countOf, normalize, seqsOf, subtract, toRanges } from '../../../actors/coordinator/replication/seq-ranges.js';
import { answerScope, digestScope, isNewer, nextPage, nextPeer, runRanges, whatTheyLack, withinBudget, type Head } from '../../../actors/coordinator/replication/digest.js';
import type { DigestEntry } from '../../../src/protocol/peer-protocol.js';

describe('seq ranges', () => {
  it.each([
    [[], []],
    [[1], [[1, 1]]],
    [[3, 1, 2, 2], [[1, 3]]],
    [[1, 2, 4, 5, 9], [[1, 2], [4, 5], [9, 9]]],
  ])('toRanges(%j) = %j', (seqs, ranges) => expect(toRanges(seqs)).toEqual(ranges));

  it.each([
    [[[1, 10]], [], [[1, 10]]],
    [[[1, 10]], [[1, 10]], []],
    [[[1, 10]], [[1, 4]], [[5, 10]]],
    [[[1, 10]], [[3, 4], [7, 7]], [[1, 2], [5, 6], [8, 10]]],
    [[[1, 3], [6, 9]], [[2, 7]], [[1, 1], [8, 9]]],
    [[[5, 9]], [[1, 20]], []],
    [[[5, 9]], [[1, 2], [11, 12]], [[5, 9]]],
  ] as [number, number][][][])('%j minus %j = %j', (have, minus, out) => expect(subtract(have, minus)).toEqual(out));

  it('normalize merges overlapping and adjacent ranges from the wire, drops inverted ones', () => {
    expect(normalize([[5, 6], [1, 3], [4, 4], [9, 8], [2, 5]])).toEqual([[1, 6]]);
  });

  it('subtract is set difference, over random sets', () => {
    const seqSet = fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 40 });
    fc.assert(
      fc.property(seqSet, seqSet, (a, b) => {
        const expected = a.filter((s) => !b.includes(s)).sort((x, y) => x - y);
        const got = [...seqsOf(subtract(toRanges(a), toRanges(b)))];
        return JSON.stringify(got) === JSON.stringify(expected) && countOf(toRanges(a)) === a.length;
      }),
    );
  });
});

describe('replica order', () => {
  it.each([
    [{ term: 2, version: 1 }, undefined, true],
    [{ term: 2, version: 5 }, { term: 2, version: 4 }, true],
    [{ term: 3, version: 1 }, { term: 2, version: 9 }, true],
    [{ term: 2, version: 4 }, { term: 2, version: 4 }, false],
    [{ term: 2, version: 3 }, { term: 2, version: 4 }, false],
    [{ term: 1, version: 99 }, { term: 2, version: 1 }, false],
    // Ended comes after unfinished whatever the terms (a takeover from a stale replica must not undo an end).
    [{ term: 1, version: 4, final: true }, { term: 2, version: 5 }, true],
    [{ term: 3, version: 1 }, { term: 1, version: 4, final: true }, false],
    // Of two ends, the first stands (a second end comes from an office that took over a stale replica).
    [{ term: 2, version: 1, final: true }, { term: 1, version: 9, final: true }, false],
    [{ term: 1, version: 9, final: true }, { term: 2, version: 1, final: true }, true],
    [{ term: 2, version: 5, final: true }, { term: 2, version: 4, final: true }, true],
  ])('%j newer than %j: %s', (a, b, newer) => expect(isNewer(a, b)).toBe(newer));
});

const entry = (execution_id: string, term: number, version: number, runs: Record<string, [number, number][]> = {}): DigestEntry => ({
  execution_id,
  term,
  version,
  runs: Object.entries(runs).map(([run_id, ranges]) => ({ run_id, ranges })),
});

describe('what the asker lacks', () => {
  it('an execution it does not hold: the document and every delta', () => {
    const lack = whatTheyLack([], [entry('e1', 1, 4, { 'e1:0:a': [[1, 5]] })]);
    expect(lack).toEqual({ docs: ['e1'], deltas: [{ execution_id: 'e1', run_id: 'e1:0:a', ranges: [[1, 5]] }] });
  });

  it('an older version: the document; the deltas after the ones it holds', () => {
    const lack = whatTheyLack([entry('e1', 1, 2, { 'e1:0:a': [[1, 3]] })], [entry('e1', 1, 7, { 'e1:0:a': [[1, 9]], 'e1:0:b': [[1, 2]] })]);
    expect(lack.docs).toEqual(['e1']);
    expect(lack.deltas).toEqual([
      { execution_id: 'e1', run_id: 'e1:0:a', ranges: [[4, 9]] },
      { execution_id: 'e1', run_id: 'e1:0:b', ranges: [[1, 2]] },
    ]);
  });

  it('a newer version than mine (a higher term): no document, but deltas it lacks still go', () => {
    const lack = whatTheyLack([entry('e1', 3, 1, { 'e1:0:a': [[2, 4]] })], [entry('e1', 2, 9, { 'e1:0:a': [[1, 4]] })]);
    expect(lack).toEqual({ docs: [], deltas: [{ execution_id: 'e1', run_id: 'e1:0:a', ranges: [[1, 1]] }] });
  });

  it('an ended version against an unfinished one of a higher term: the end goes, the unfinished one never comes back', () => {
    const ended = { ...entry('e1', 1, 4), final: true };
    const resumed = entry('e1', 2, 5);
    expect(whatTheyLack([resumed], [ended]).docs).toEqual(['e1']);
    expect(whatTheyLack([ended], [resumed]).docs).toEqual([]);
  });

  it('the same holdings: nothing', () => {
    const same = entry('e1', 2, 3, { 'e1:0:a': [[1, 60]] });
    expect(whatTheyLack([same], [same])).toEqual({ docs: [], deltas: [] });
  });
});

const head = (execution_id: string, status: string, created_at: number): Head => ({ execution_id, status, created_at, term: 1, version: 1 });

describe('scopes', () => {
  it('a digest covers the unfinished and the newest others; since marks where the limit was reached', () => {
    const unfinished = [head('old-running', 'running', 1)];
    const newest = [head('c', 'completed', 30), head('b', 'failed', 20), head('a', 'cancelled', 10)];
    expect(digestScope(unfinished, newest, 2)).toEqual({ heads: [unfinished[0], newest[0], newest[1]], since: 20 });
    expect(digestScope(unfinished, newest.slice(0, 2), 2)).toEqual({ heads: [unfinished[0], newest[0], newest[1]], since: 20 });
    expect(digestScope(unfinished, newest.slice(0, 1), 2)).toEqual({ heads: [unfinished[0], newest[0]], since: 0 });
  });

  it.each([
    ['a page that brought something is compared again', 500, 300, true, 500],
    ['a page that brought nothing moves to the older one', 500, 300, false, 300],
    ['the oldest page done: from the newest again', 500, 0, false, undefined],
  ])('%s', (_, before, since, brought, next) => expect(nextPage(before, since, brought)).toBe(next));

  it('an answer compares the unfinished, those named, and the newest since, each once', () => {
    const scope = answerScope([head('r', 'running', 5)], [head('n', 'completed', 1), head('r', 'running', 5)], [head('x', 'completed', 40), head('n', 'completed', 1)]);
    expect(scope.map((h) => h.execution_id)).toEqual(['r', 'n', 'x']);
  });

  it('a contiguous run needs no seq list; one with gaps reads it', () => {
    expect(runRanges({ count: 60, first: 1, last: 60 }, () => expect.unreachable())).toEqual([[1, 60]]);
    expect(runRanges({ count: 3, first: 1, last: 9 }, () => [9, 1, 2])).toEqual([[1, 2], [9, 9]]);
  });
});

describe('whom to ask, and how much to answer', () => {
  it('asks the peers in turn, in a stable order, whoever joins or leaves', () => {
    expect(nextPeer([], undefined)).toBeUndefined();
    expect(nextPeer(['c', 'a', 'b'], undefined)).toBe('a');
    expect(nextPeer(['c', 'a', 'b'], 'a')).toBe('b');
    expect(nextPeer(['c', 'a', 'b'], 'c')).toBe('a');
    expect(nextPeer(['c', 'a'], 'b')).toBe('c'); // b left
  });

  it('takes items while they fit, and at least one', () => {
    expect(withinBudget([3, 3, 3], (n) => n, 7)).toEqual({ taken: [3, 3], more: true });
    expect(withinBudget([3, 3], (n) => n, 6)).toEqual({ taken: [3, 3], more: false });
    expect(withinBudget([10, 1], (n) => n, 5)).toEqual({ taken: [10], more: true });
  });
});

describe('convergence', () => {
  type Holding = Map<string, { term: number; version: number; runs: Map<string, Set<number>> }>;
  const digestOf = (h: Holding): DigestEntry[] =>
    [...h].map(([execution_id, e]) => ({ execution_id, term: e.term, version: e.version, runs: [...e.runs].map(([run_id, seqs]) => ({ run_id, ranges: toRanges(seqs) })) }));
  /** One pull: `asker` stores what `answerer` says it lacks. */
  const pull = (asker: Holding, answerer: Holding) => {
    const lack = whatTheyLack(digestOf(asker), digestOf(answerer));
    for (const id of lack.docs) {
      const theirs = answerer.get(id)!;
      const mine = asker.get(id) ?? { term: 0, version: -1, runs: new Map() };
      if (isNewer(theirs, mine)) asker.set(id, { ...mine, term: theirs.term, version: theirs.version });
    }
    for (const d of lack.deltas) {
      const mine = asker.get(d.execution_id) ?? { term: 0, version: -1, runs: new Map<string, Set<number>>() };
      asker.set(d.execution_id, mine);
      const seqs = mine.runs.get(d.run_id) ?? new Set<number>();
      for (const s of seqsOf(d.ranges)) seqs.add(s);
      mine.runs.set(d.run_id, seqs);
    }
  };
  const holding = fc
    .array(
      fc.record({
        id: fc.constantFrom('e1', 'e2', 'e3'),
        term: fc.integer({ min: 1, max: 3 }),
        version: fc.integer({ min: 0, max: 5 }),
        runs: fc.dictionary(fc.constantFrom('r1', 'r2'), fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { maxLength: 12 })),
      }),
      { maxLength: 3 },
    )
    .map((list) => {
      const h: Holding = new Map();
      for (const e of list) h.set(e.id, { term: e.term, version: e.version, runs: new Map(Object.entries(e.runs).map(([r, s]) => [r, new Set(s)])) });
      return h;
    });

  it('after one pull each way, both peers hold the union of the deltas and the newest version of each document', () => {
    fc.assert(
      fc.property(holding, holding, (a, b) => {
        const newest = new Map<string, { term: number; version: number }>();
        for (const h of [a, b]) for (const [id, e] of h) if (isNewer(e, newest.get(id))) newest.set(id, { term: e.term, version: e.version });
        const union = (id: string, run: string) => new Set([...(a.get(id)?.runs.get(run) ?? []), ...(b.get(id)?.runs.get(run) ?? [])]);
        const expected = [...newest.keys()].map((id) => [id, ['r1', 'r2'].map((r) => [...union(id, r)].sort((x, y) => x - y))]);
        pull(a, b);
        pull(b, a);
        for (const h of [a, b]) {
          for (const [id, v] of newest) expect([h.get(id)!.term, h.get(id)!.version]).toEqual([v.term, v.version]);
          const got = [...newest.keys()].map((id) => [id, ['r1', 'r2'].map((r) => [...(h.get(id)!.runs.get(r) ?? [])].sort((x, y) => x - y))]);
          expect(got).toEqual(expected);
        }
      }),
    );
  });
});
