// The accounting of scheduled requests: table-driven cases of runs that finished, died, froze or were
// refused, checked against arrivals counted one by one from the same schedule.
import { describe, expect, it } from 'vitest';
import { HELD_BACK, accountRun, accountTask } from '../../src/execution/accounting.js';
import { arrivalsDueBy, ownedArrivals, ownsArrival } from '../../src/schedule/arrivals.js';
import { profileFor } from '../../src/schedule/patterns.js';
import { loadTaskOf, validatePlan } from '../../src/plan/index.js';
import { emptyResults, type LoadResults } from '../../src/stats/index.js';
import type { Assignment, ExecutionDoc } from '../../src/execution/contract.js';

const T0 = 1_700_000_000_000;
const plan = validatePlan({ name: 'p', tasks: [{ type: 'load_test', parameters: { targets: [{ url: 'http://127.0.0.1:9/' }], duration: 10, base_rps: 600 } }] });
const params = loadTaskOf(plan.tasks[0]!)!;
const profile = profileFor(params);

/** Arrivals of `segment` due in [fromMs, toMs) after the start, one by one. */
function bruteOwned(segment: { from: number; to: number }, fromMs: number, toMs: number): number {
  let n = 0;
  for (let k = 1; k <= profile.total; k++) {
    const due = profile.timeOf(k) * 1000;
    if (due >= fromMs && due < toMs && ownsArrival(segment, k)) n++;
  }
  return n;
}

const third = (i: number) => ({ from: i / 3, to: (i + 1) / 3 });
const half = (i: number) => ({ from: i / 2, to: (i + 1) / 2 });

function docOf(status: ExecutionDoc['status'], assignments: Assignment[], finished_at: number | null = T0 + 10_500): ExecutionDoc {
  return { execution_id: 'x', name: 'p', plan, source: {}, status, created_at: T0 - 1000, start_at: T0, finished_at, coordinator: 'a', term: 1, version: 3, assignments };
}
const assigned = (node: string, segment: { from: number; to: number }, extra: Partial<Assignment> = {}): Assignment => ({
  node_id: node,
  segment,
  state: 'done',
  updated_at: T0,
  shares: [{ at: T0, segment }],
  ...extra,
});

describe('schedule arithmetic', () => {
  it('counts arrivals due by a time exactly as the due times say', () => {
    for (const ms of [0, 1, 999, 1000, 1001, 4321.5, 9999, 10_000, 20_000]) {
      let brute = 0;
      for (let k = 1; k <= profile.total; k++) if (profile.timeOf(k) * 1000 <= ms) brute++;
      expect(arrivalsDueBy(profile, ms)).toBe(brute);
    }
  });

  it('follows a share through its resegments', () => {
    const spans = [
      { at: 0, segment: third(0) },
      { at: 4000, segment: half(0) },
    ];
    expect(ownedArrivals(profile, spans, 7000)).toBe(bruteOwned(third(0), 0, 4000) + bruteOwned(half(0), 4000, 7000));
  });

  it('splits the whole schedule with no arrival lost or counted twice', () => {
    const all = [0, 1, 2].map((i) => ownedArrivals(profile, [{ at: 0, segment: third(i) }], Infinity));
    expect(all.reduce((a, b) => a + b, 0)).toBe(profile.total);
  });
});

type Row = {
  name: string;
  status: ExecutionDoc['status'];
  assignment: Assignment;
  tally: { requests: number; dropped: number; scheduled: number; held?: number; shares?: { at: number; segment: { from: number; to: number } }[] };
  final: boolean;
  /** Expected scheduled for the run (a function of the schedule) and whether some are unaccounted. */
  scheduled: number;
  unaccounted: number;
  /** Expected arrivals of a share heard of too late (dropped, never sent). */
  late?: number;
};

const n0 = bruteOwned(third(0), 0, Infinity);
const diedAt = 4_050;
const ownedBeforeDeath = bruteOwned(third(0), 0, diedAt);

const rows: Row[] = [
  { name: 'a run that finished reports its own count', status: 'completed', assignment: assigned('a', third(0)), tally: { requests: n0 - 3, dropped: 3, scheduled: n0 }, final: true, scheduled: n0, unaccounted: 0 },
  {
    name: 'a killed generator: its last second is unaccounted, up to the moment its share moved',
    status: 'completed',
    assignment: assigned('a', third(0), { state: 'failed', reason: 'generator died', moved_at: T0 + diedAt }),
    tally: { requests: bruteOwned(third(0), 0, 3000), dropped: 0, scheduled: bruteOwned(third(0), 0, 3000) },
    final: false,
    scheduled: ownedBeforeDeath,
    unaccounted: ownedBeforeDeath - bruteOwned(third(0), 0, 3000),
  },
  {
    name: 'a refused assignment: everything up to the move is unaccounted (nothing was reported)',
    status: 'completed',
    assignment: assigned('a', third(0), { state: 'failed', reason: 'assignment not acknowledged', moved_at: T0 + 50 }),
    tally: { requests: 0, dropped: 0, scheduled: 0 },
    final: false,
    scheduled: bruteOwned(third(0), 0, 50),
    unaccounted: bruteOwned(third(0), 0, 50),
  },
  {
    name: 'a frozen generator that woke and stopped early reported final: the gap up to the move is unaccounted',
    status: 'completed',
    assignment: assigned('a', third(0), { state: 'failed', reason: 'generator silent', moved_at: T0 + diedAt }),
    tally: { requests: bruteOwned(third(0), 0, 2000) - 5, dropped: 5, scheduled: bruteOwned(third(0), 0, 2000) },
    final: true,
    scheduled: ownedBeforeDeath,
    unaccounted: ownedBeforeDeath - bruteOwned(third(0), 0, 2000),
  },
  {
    name: 'requests in flight at the last delta of a run that never sent its final one',
    status: 'completed',
    assignment: assigned('a', third(0), { state: 'failed', reason: 'no final results' }),
    tally: { requests: n0 - 40, dropped: 0, scheduled: n0 },
    final: false,
    scheduled: n0,
    unaccounted: 40,
  },
  {
    name: 'a cancelled execution counts a silent run up to the cancel',
    status: 'cancelled',
    assignment: assigned('a', third(0), { state: 'cancelled' }),
    tally: { requests: 10, dropped: 0, scheduled: 10 },
    final: false,
    scheduled: bruteOwned(third(0), 0, 5000),
    unaccounted: bruteOwned(third(0), 0, 5000) - 10,
  },
  {
    name: 'a run that finished but reported fewer arrivals than its share owned (a share it never heard of): the rest unaccounted',
    status: 'completed',
    assignment: assigned('a', third(0)),
    tally: { requests: n0 - 7, dropped: 0, scheduled: n0 - 7 },
    final: true,
    scheduled: n0,
    unaccounted: 7,
  },
  {
    name: 'a cancelled run that reported final but lost arrivals it held back at its stop: unaccounted up to the cancel',
    status: 'cancelled',
    assignment: assigned('a', third(0), { state: 'cancelled' }),
    tally: { requests: bruteOwned(third(0), 0, 5000) - 4, dropped: 0, scheduled: bruteOwned(third(0), 0, 5000) - 4 },
    final: true,
    scheduled: bruteOwned(third(0), 0, 5000),
    unaccounted: 4,
  },
  {
    name: 'a cancelled run that went on past the cancel until it heard of it is counted as it reported',
    status: 'cancelled',
    assignment: assigned('a', third(0), { state: 'cancelled' }),
    tally: { requests: bruteOwned(third(0), 0, 5200), dropped: 0, scheduled: bruteOwned(third(0), 0, 5200) },
    final: true,
    scheduled: bruteOwned(third(0), 0, 5200),
    unaccounted: 0,
  },
  {
    name: 'a run that held 9 arrivals back while paused and was never told whose: its own (not moved), unaccounted, none sent',
    status: 'completed',
    assignment: assigned('a', third(0)),
    tally: { requests: n0 - 9, dropped: 0, scheduled: n0 - 9, held: 9 },
    final: true,
    scheduled: n0,
    unaccounted: 9,
  },
  {
    name: 'held back by a run whose share moved: the schedule up to the move counts, not the held ones (those after it were the others\')',
    status: 'completed',
    assignment: assigned('a', third(0), { state: 'failed', reason: 'generator silent', moved_at: T0 + diedAt }),
    tally: { requests: bruteOwned(third(0), 0, 2000), dropped: 0, scheduled: bruteOwned(third(0), 0, 2000), held: 5000 },
    final: true,
    scheduled: ownedBeforeDeath,
    unaccounted: ownedBeforeDeath - bruteOwned(third(0), 0, 2000),
  },
  {
    name: 'a generator that ran on past its move (stale) is counted as it reported, never negative',
    status: 'completed',
    assignment: assigned('a', third(0), { state: 'failed', reason: 'generator silent', moved_at: T0 + 1000 }),
    tally: { requests: bruteOwned(third(0), 0, 3000), dropped: 0, scheduled: bruteOwned(third(0), 0, 3000) },
    final: true,
    scheduled: bruteOwned(third(0), 0, 3000),
    unaccounted: 0,
  },
  {
    name: 'a run that ended before it heard its share grow (its final delta names the shares it ran): the gained arrivals are dropped, none unaccounted',
    status: 'completed',
    assignment: assigned('a', half(0), { shares: [{ at: T0, segment: third(0) }, { at: T0 + 9_900, segment: half(0) }] }),
    tally: { requests: n0 - 2, dropped: 2, scheduled: n0, shares: [{ at: T0, segment: third(0) }] },
    final: true,
    scheduled: n0 + bruteOwned({ from: 1 / 3, to: 1 / 2 }, 9_900, Infinity),
    unaccounted: 0,
    late: bruteOwned({ from: 1 / 3, to: 1 / 2 }, 9_900, Infinity),
  },
  {
    name: 'a run that applied its grown share in time is held to it: arrivals it then failed to report stay unaccounted',
    status: 'completed',
    assignment: assigned('a', half(0), { shares: [{ at: T0, segment: third(0) }, { at: T0 + 6_000, segment: half(0) }] }),
    tally: { requests: n0 - 3, dropped: 0, scheduled: n0 - 3, shares: [{ at: T0, segment: third(0) }, { at: T0 + 6_000, segment: half(0) }] },
    final: true,
    scheduled: n0 + bruteOwned({ from: 1 / 3, to: 1 / 2 }, 6_000, Infinity),
    unaccounted: bruteOwned({ from: 1 / 3, to: 1 / 2 }, 6_000, Infinity) + 3,
    late: 0,
  },
  {
    name: 'a late share of a run that also lost arrivals of its own: only the share heard too late is dropped',
    status: 'completed',
    assignment: assigned('a', half(0), { shares: [{ at: T0, segment: third(0) }, { at: T0 + 9_900, segment: half(0) }] }),
    tally: { requests: n0 - 4, dropped: 0, scheduled: n0 - 4, shares: [{ at: T0, segment: third(0) }] },
    final: true,
    scheduled: n0 + bruteOwned({ from: 1 / 3, to: 1 / 2 }, 9_900, Infinity),
    unaccounted: 4,
    late: bruteOwned({ from: 1 / 3, to: 1 / 2 }, 9_900, Infinity),
  },
];

describe('accounting of one run', () => {
  it.each(rows)('$name', (row) => {
    const doc = docOf(row.status, [row.assignment], row.status === 'cancelled' ? T0 + 5000 : T0 + 10_500);
    const r = accountRun(doc, 0, row.assignment, row.tally, row.final);
    expect(r.scheduled).toBe(row.scheduled);
    expect(r.unaccounted).toBe(row.unaccounted);
    expect(r.sent + r.dropped + r.unaccounted).toBe(r.scheduled);
    expect(r.late ?? 0).toBe(row.late ?? 0);
    expect(r.dropped).toBe(row.tally.dropped + (row.late ?? 0));
    if (row.late) expect(row.late).toBeGreaterThan(0);
    if (row.unaccounted > 0) expect(r.reason).toBeTruthy();
    if (row.tally.held && !row.assignment.moved_at) expect(r.reason).toBe(HELD_BACK);
  });
});

describe('accounting of an execution', () => {
  it('a share that moved to the others: sent + dropped + unaccounted = scheduled = the whole schedule', () => {
    const moved = T0 + diedAt;
    const a = assigned('a', third(0), { state: 'failed', reason: 'generator died', moved_at: moved });
    const b = assigned('b', half(0), { shares: [{ at: T0, segment: third(1) }, { at: moved, segment: half(0) }] });
    const c = assigned('c', half(1), { shares: [{ at: T0, segment: third(2) }, { at: moved, segment: half(1) }] });
    const doc = docOf('completed', [a, b, c]);
    const results: LoadResults = emptyResults();
    const reportedA = bruteOwned(third(0), 0, 3000);
    const bN = bruteOwned(third(1), 0, diedAt) + bruteOwned(half(0), diedAt, Infinity);
    const cN = bruteOwned(third(2), 0, diedAt) + bruteOwned(half(1), diedAt, Infinity);
    results.sources = {
      'x:0:a': { upTo: 3, extra: [], final: false, tally: { requests: reportedA, dropped: 0, scheduled: reportedA } },
      'x:0:b': { upTo: 11, extra: [], final: true, tally: { requests: bN, dropped: 0, scheduled: bN } },
      'x:0:c': { upTo: 11, extra: [], final: true, tally: { requests: cN - 2, dropped: 2, scheduled: cN } },
    };
    const acc = accountTask(doc, 0, results);
    expect(acc.scheduled).toBe(profile.total);
    expect(acc.unaccounted).toBe(ownedBeforeDeath - reportedA);
    expect(acc.unaccounted_max).toBe(acc.unaccounted);
    expect(acc.runs.map((r) => r.node)).toEqual(['a']);
  });
});
