import { describe, expect, it } from 'vitest';
import { evaluateThresholds, parseThreshold, ThresholdError, type ThresholdMetrics } from '../../src/plan/index.js';

const metrics = (over: Partial<ThresholdMetrics> = {}): ThresholdMetrics => ({
  total_requests: 1000,
  dropped_requests: 0,
  requests_per_second: 950,
  error_rate: 0.002,
  latency_ms: { min: 0.5, mean: 12, p50: 10, p90: 40, p95: 120, p99: 240, p999: 600, max: 900 },
  ...over,
});

describe('parseThreshold', () => {
  it.each([
    ['p99 < 250ms', 'p99', '<', 250],
    ['p95 <= 0.5s', 'p95', '<=', 500],
    ['p50<900us', 'p50', '<', 0.9],
    ['p999 < 2s', 'p999', '<', 2000],
    ['p99.9 < 2s', 'p999', '<', 2000],
    ['mean < 100', 'mean', '<', 100],
    ['max <= 1s', 'max', '<=', 1000],
    ['error_rate < 0.01', 'error_rate', '<', 0.01],
    ['error_rate < 1%', 'error_rate', '<', 0.01],
    ['rps >= 900', 'rps', '>=', 900],
    ['dropped < 1', 'dropped', '<', 1],
  ])('%s', (expression, metric, op, value) => {
    const rule = parseThreshold(expression);
    expect(rule.metric).toBe(metric);
    expect(rule.op).toBe(op);
    expect(rule.value).toBeCloseTo(value, 9);
  });

  it.each([['p98 < 1ms'], ['p99 ~ 1ms'], ['rps >= 900ms'], ['error_rate < 3ms'], ['p99 < fast'], ['']])('rejects %j', (expression) => {
    expect(() => parseThreshold(expression)).toThrow(ThresholdError);
  });
});

describe('evaluateThresholds', () => {
  const subject = {
    summary: metrics(),
    targets: [
      { url: 'http://a/', name: 'home', ...metrics({ latency_ms: { ...metrics().latency_ms, p99: 300 } }) },
      { url: 'http://b/', ...metrics({ total_requests: 0 }) },
    ],
  };

  it('evaluates run-wide and per-target rules', () => {
    expect(
      evaluateThresholds(
        [
          { expression: 'p99 < 250ms' },
          { expression: 'p95 <= 0.1s' },
          { expression: 'error_rate < 1%' },
          { expression: 'rps >= 900' },
          { expression: 'dropped < 1' },
          { expression: 'p99 < 250ms', target: 'home' },
          { expression: 'p99 < 250ms', target: 0 },
          { expression: 'p99 < 250ms', target: 'http://b/' },
          { expression: 'rps >= 900', target: 'http://b/' },
          { expression: 'p99 < 250ms', target: 'nowhere' },
        ],
        subject,
      ),
    ).toEqual([
      { expression: 'p99 < 250ms', passed: true, actual: 240 },
      { expression: 'p95 <= 0.1s', passed: false, actual: 120 },
      { expression: 'error_rate < 1%', passed: true, actual: 0.002 },
      { expression: 'rps >= 900', passed: true, actual: 950 },
      { expression: 'dropped < 1', passed: true, actual: 0 },
      { expression: 'p99 < 250ms', target: 'home', passed: false, actual: 300 },
      { expression: 'p99 < 250ms', target: 'home', passed: false, actual: 300 },
      // No requests: no latency to judge, so the rule fails with no actual value.
      { expression: 'p99 < 250ms', target: 'http://b/', passed: false, actual: null },
      { expression: 'rps >= 900', target: 'http://b/', passed: true, actual: 950 },
      { expression: 'p99 < 250ms', target: 'nowhere', passed: false, actual: null },
    ]);
  });
});

describe('latency thresholds without responses', () => {
  it('fail with actual null when every request failed before a response', () => {
    const none = { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
    const summary = { total_requests: 10, dropped_requests: 0, requests_per_second: 1, error_rate: 1, latency_ms: none, status_codes: {} };
    const [result] = evaluateThresholds([{ expression: 'p99 < 250ms' }], { summary, targets: [] });
    expect(result).toMatchObject({ passed: false, actual: null });
  });
});
