import { expect, test } from 'vitest';
import { compareTests } from '../../src/mcp/compare.js';
import type { TestSummary } from '../../src/mcp/summary.js';

function summary(id: string, over: { rps?: number; error_rate?: number; p99?: number; thresholds?: TestSummary['thresholds'] } = {}): TestSummary {
  const p99 = over.p99 ?? 100;
  return {
    execution_id: id, name: 'x', status: 'completed', done: true, progress_percent: 100, start_at: null, finished_at: null, error: null,
    total_requests: 1000, successful_requests: 1000, failed_requests: 0, dropped_requests: 0,
    requests_per_second: over.rps ?? 100, error_rate: over.error_rate ?? 0,
    latency_ms: { mean: 10, p50: 10, p90: 50, p95: 80, p99, max: p99 },
    status_codes: {}, errors: {}, thresholds: over.thresholds ?? [], thresholds_passed: null, targets: [], nodes: [],
  };
}

test.each([
  { name: 'identical runs', candidate: {}, regressions: [] },
  { name: 'p99 within tolerance', candidate: { p99: 109 }, regressions: [] },
  { name: 'p99 beyond tolerance', candidate: { p99: 150 }, regressions: ['p99_ms', 'max_ms'] },
  { name: 'fewer requests per second', candidate: { rps: 80 }, regressions: ['requests_per_second'] },
  { name: 'a few errors from none', candidate: { error_rate: 0.0005 }, regressions: [] },
  { name: 'errors beyond the floor', candidate: { error_rate: 0.02 }, regressions: ['error_rate'] },
])('$name', ({ candidate, regressions }) => {
  const out = compareTests(summary('a'), summary('b', candidate), 0.1);
  expect(out.changes.filter((c) => c.regression).map((c) => c.metric)).toEqual(regressions);
  expect(out.regressions).toHaveLength(regressions.length);
});

test('a threshold that passed and now fails is a regression', () => {
  const before = [{ expression: 'p99 < 200ms', passed: true, actual: 100 }];
  const after = [{ expression: 'p99 < 200ms', passed: false, actual: 250 }];
  const out = compareTests(summary('a', { thresholds: before }), summary('b', { thresholds: after, p99: 250 }), 0.1);
  expect(out.thresholds).toEqual([{ expression: 'p99 < 200ms', baseline_passed: true, candidate_passed: false }]);
  expect(out.regressions).toContain('threshold p99 < 200ms passed, now fails');
});
