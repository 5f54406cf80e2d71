// Stopping an execution's load before its planned end (a stress test whose objective broke, as the
// driver judged on the merged results): every active generator is told to stop, once, and the
// execution completes as soon as their final results are in, not at the planned end.
import { describe, expect, it } from 'vitest';
import { FINAL_GRACE_MS } from '../../../actors/coordinator/executions/model.js';
import { Lifecycle } from './harness.js';

function running() {
  const l = Lifecycle.ready(['a', 'b', 'c']);
  l.ackAll(l.submit('x'));
  l.advance(3_000);
  return l;
}

describe('load.stop-early', () => {
  it('stops every active generator once, and completes when their final results are in', () => {
    const l = running();
    l.on({ type: 'load.stop-early', executionId: 'x', reason: 'step 3 at 80 req/s broke error_rate < 5%' });
    expect(l.sends('task.stop').map((s) => s.to).sort()).toEqual(['a', 'b', 'c']);
    // Written into the document, so it is persisted and replicated: a new coordinator keeps the early end.
    expect(l.doc().stopped_early).toEqual({ at: l.now, reason: 'step 3 at 80 req/s broke error_rate < 5%' });
    expect(l.of('persist').at(-1)?.doc.stopped_early).toBeDefined();
    expect(l.of('log').map((e) => e.message)).toContain('stopping load early');
    expect(l.on({ type: 'load.stop-early', executionId: 'x', reason: 'again' })).toEqual([]);
    l.advance(200);
    l.delta('a', 1, true);
    l.delta('b', 1, true);
    expect(l.doc().status).toBe('running');
    l.delta('c', 1, true);
    expect(l.doc().status).toBe('completed');
    expect(l.doc().finished_at).toBeLessThan(l.doc().start_at! + 10_000); // well before the planned end
  });

  it('ends with the grace when a stopped generator never sends its final results', () => {
    const l = running();
    l.on({ type: 'load.stop-early', executionId: 'x', reason: 'broke' });
    const at = l.now;
    l.delta('a', 1, true);
    l.delta('b', 1, true);
    l.advance(FINAL_GRACE_MS);
    l.on({ type: 'timer', key: 'x' });
    expect(l.doc().status).toBe('completed');
    expect(l.doc().assignments.find((a) => a.node_id === 'c')).toMatchObject({ state: 'failed', reason: 'no final results' });
    expect(l.doc().finished_at).toBe(at + FINAL_GRACE_MS);
  });

  it('changes nothing for an execution that is not running here', () => {
    const l = Lifecycle.ready();
    expect(l.on({ type: 'load.stop-early', executionId: 'nope', reason: 'broke' })).toEqual([]);
  });
});
