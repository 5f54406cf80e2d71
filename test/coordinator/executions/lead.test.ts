// The lead before an execution's agreed start: a peer's coordinator gives a longer one when no other
// execution runs, since its generators may be at rest, with no load worker thread booted yet (they boot
// one when their share arrives: actors/load-generator/actor.ts).
import { describe, expect, it } from 'vitest';
import { START_DELAY_AT_REST_MS, START_DELAY_MS } from '../../../actors/coordinator/executions/model.js';
import { DEPS, Lifecycle, T0, planOf } from './harness.js';

describe('the lead before the start', () => {
  it.each<[string, number | undefined, string[], number]>([
    // case, lead at rest given, executions running before, lead of the new one
    ['at rest, with a lead at rest', START_DELAY_AT_REST_MS, [], START_DELAY_AT_REST_MS],
    ['while another runs, the usual lead', START_DELAY_AT_REST_MS, ['y'], START_DELAY_MS],
    ['at rest, with none given', undefined, [], START_DELAY_MS],
    ['a lead at rest shorter than the usual one is not taken', 100, [], START_DELAY_MS],
  ])('%s', (_, restLeadMs, before, lead) => {
    const l = Lifecycle.ready();
    l.deps = { ...DEPS, ...(restLeadMs !== undefined ? { restLeadMs } : {}) };
    for (const id of before) l.submit(id, planOf(60));
    l.advance(1_000);
    const assigns = l.submit('x');
    expect(l.doc('x').start_at).toBe(T0 + 1_000 + lead);
    // Each assignment is due by the start: the generators have the whole lead to boot and warm up.
    expect(assigns.map((s) => s.deadlineMs)).toEqual([lead, lead, lead]);
  });

  it('the execution that ended leaves the cluster at rest again', () => {
    const l = Lifecycle.ready();
    l.deps = { ...DEPS, restLeadMs: START_DELAY_AT_REST_MS };
    l.submit('y', planOf(1));
    l.on({ type: 'cancel', executionId: 'y' });
    expect(l.doc('y').status).toBe('cancelled');
    l.advance(100);
    l.submit('x');
    expect(l.doc('x').start_at).toBe(T0 + 100 + START_DELAY_AT_REST_MS);
  });
});
