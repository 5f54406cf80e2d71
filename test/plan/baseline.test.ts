// The baseline comparison, table-driven: each metric within or past its tolerance, in both directions.
import { describe, expect, it } from 'vitest';
import { baselineSpec, compareWithBaseline, DEFAULT_TOLERANCES, type BaselineFigures } from '../../src/plan/index.js';
import { checkPerformanceTask } from '../../src/plan/performance-task.js';

const base: BaselineFigures = { requests_per_second: 100, error_rate: 0.001, latency_ms: { p50: 10, p90: 20, p95: 30, p99: 50, p999: 80, mean: 12 } };
const with_ = (change: Partial<BaselineFigures> & { latency?: Partial<BaselineFigures['latency_ms']> }): BaselineFigures => ({
  ...base,
  ...change,
  latency_ms: { ...base.latency_ms, ...(change.latency ?? {}) },
});

describe('compareWithBaseline', () => {
  const cases: Array<{ name: string; current: BaselineFigures; regressed: string[] }> = [
    { name: 'unchanged', current: base, regressed: [] },
    { name: 'faster and more rps is no regression', current: with_({ requests_per_second: 150, latency: { p50: 5, p99: 20 } }), regressed: [] },
    { name: 'rps 9% lower: within 10%', current: with_({ requests_per_second: 91 }), regressed: [] },
    { name: 'rps 11% lower', current: with_({ requests_per_second: 89 }), regressed: ['rps'] },
    { name: 'error rate up 0.9 points: within 1', current: with_({ error_rate: 0.01 }), regressed: [] },
    { name: 'error rate up 2 points', current: with_({ error_rate: 0.021 }), regressed: ['error_rate'] },
    { name: 'p99 up 8%', current: with_({ latency: { p99: 54 } }), regressed: [] },
    { name: 'p99 up 20%', current: with_({ latency: { p99: 60 } }), regressed: ['p99'] },
    { name: 'p50 and mean up 50%', current: with_({ latency: { p50: 15, mean: 18 } }), regressed: ['p50', 'mean'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = compareWithBaseline(c.current, base, DEFAULT_TOLERANCES);
      expect(result.metrics.filter((m) => m.regressed).map((m) => m.metric)).toEqual(c.regressed);
      expect(result.passed).toBe(c.regressed.length === 0);
      expect(result.regressions).toHaveLength(c.regressed.length);
      c.regressed.forEach((metric, i) => expect(result.regressions[i]).toMatch(new RegExp(`^${metric} (rose|fell)`)));
    });
  }

  it('names both values and the tolerance', () => {
    const [sentence] = compareWithBaseline(with_({ latency: { p99: 75 } }), base, DEFAULT_TOLERANCES).regressions;
    expect(sentence).toBe('p99 rose 50.0% (50 → 75 ms), more than the 10.0% allowed');
  });

  it('ignores latency changes under the floor, however large relatively', () => {
    const tiny = { ...base, latency_ms: { p50: 0.2, p90: 0.3, p95: 0.3, p99: 0.4, p999: 0.5, mean: 0.2 } };
    const doubled = { ...tiny, latency_ms: { p50: 0.5, p90: 0.7, p95: 0.8, p99: 1.1, p999: 1.4, mean: 0.5 } };
    expect(compareWithBaseline(doubled, tiny, DEFAULT_TOLERANCES).passed).toBe(true);
  });

  it('a zero baseline latency that becomes large is a regression (not a division by zero)', () => {
    const zero = { ...base, latency_ms: { ...base.latency_ms, p50: 0 } };
    const result = compareWithBaseline(with_({ latency: { p50: 30 } }), zero, DEFAULT_TOLERANCES);
    expect(result.regressions).toEqual(['p50 rose from 0 (0 → 30 ms), more than the 10.0% allowed']);
  });
});

describe('performance_test tolerances', () => {
  it('reads percentages, per-metric overrides and the floor', () => {
    const spec = baselineSpec({ execution_id: 'abc', tolerances: { rps: 0.05, latency: 0.2, p99: 0.5, latency_floor: 0.005 } as never });
    expect(spec).toEqual({ execution_id: 'abc', tolerances: { rps: 0.05, error_rate: 0.01, latency: { p50: 0.2, p90: 0.2, p95: 0.2, p99: 0.5, p999: 0.2, mean: 0.2 }, latency_floor_ms: 5 } });
  });

  it('validates the baseline beside the load parameters, naming each bad field', () => {
    const { problems, task } = checkPerformanceTask(
      { targets: [{ url: 'http://127.0.0.1:1/' }], duration: 1, base_rps: 1, baseline: { tolerances: { rps: 'ten', p42: '1%' }, bogus: 1 } },
      'tasks[0].parameters',
    );
    expect(task).toBeUndefined();
    expect(problems.map((p) => p.path).sort()).toEqual(['tasks[0].parameters.baseline.bogus', 'tasks[0].parameters.baseline.tolerances.p42', 'tasks[0].parameters.baseline.tolerances.rps']);
    const ok = checkPerformanceTask({ targets: [{ url: 'http://127.0.0.1:1/' }], duration: 1, base_rps: 1, baseline: { tolerances: { rps: '5%' } } });
    expect(ok.task?.baseline.tolerances.rps).toBeCloseTo(0.05);
    expect(ok.task?.duration).toBe(1);
  });
});
