import { describe, expect, it } from 'vitest';
import { buildReport, thresholdsPassed, timeseriesCsv } from '../../src/report/index.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { ERROR_INDEX, mergeDeltas, NO_ERROR, Recorder } from '../../src/stats/index.js';

/** Two targets over 3 s: /fast answers in 2 ms, /slow in 300 ms with one failure in ten (status 500). */
function fixture() {
  const task = validateLoadTask({
    targets: [
      { url: 'http://127.0.0.1:1/fast', name: 'fast', thresholds: ['p99 < 10ms'] },
      { url: 'http://127.0.0.1:1/slow', thresholds: ['p99 < 10ms', 'error_rate < 5%'] },
    ],
    duration: 3,
    base_rps: 100,
    thresholds: ['p50 < 250ms', 'rps >= 99', 'dropped < 1', { target: 'http://127.0.0.1:1/slow', expression: 'max <= 0.5s' }],
  });
  const recorder = new Recorder('run-1', 2, 0);
  const deltas = [];
  for (let i = 0; i < 300; i++) {
    const intended = i * 10;
    if (i % 2 === 0) recorder.response(0, intended, intended, intended + 2, 200, NO_ERROR, 100, 60);
    else if (i % 20 === 1) recorder.response(1, intended, intended, intended + 300, 500, ERROR_INDEX.unexpected_status, 100, 60);
    else recorder.response(1, intended, intended, intended + 300, 200, NO_ERROR, 100, 60);
    if (i % 100 === 99) deltas.push(recorder.takeDelta(i === 299));
  }
  recorder.drop(1, 2995);
  deltas.push(recorder.takeDelta(true));
  return { task, results: mergeDeltas(deltas) };
}

describe('buildReport', () => {
  const { task, results } = fixture();
  const report = buildReport({ executionId: 'exec-1', name: 'demo', status: 'completed', startedAt: 0, finishedAt: 3000, durationS: 3, task, results });

  it('summarises the run and each target', () => {
    expect(report).toMatchObject({ execution_id: 'exec-1', name: 'demo', status: 'completed', started_at: '1970-01-01T00:00:00.000Z', finished_at: '1970-01-01T00:00:03.000Z' });
    expect(report.summary).toMatchObject({
      total_requests: 300,
      successful_requests: 285,
      failed_requests: 15,
      dropped_requests: 1,
      requests_per_second: 100,
      bytes_received: 30_000,
      bytes_sent: 18_000,
      status_codes: { '200': 285, '500': 15 },
      errors: { unexpected_status: 15 },
    });
    expect(report.summary.error_rate).toBeCloseTo(15 / 300, 6);
    expect(report.summary.latency_ms.p50).toBeCloseTo(2, 1);
    expect(report.summary.latency_ms.p99).toBeCloseTo(300, -1);
    expect(report.targets.map((t) => [t.name, t.url, t.method, t.total_requests])).toEqual([
      ['fast', 'http://127.0.0.1:1/fast', 'GET', 150],
      [undefined, 'http://127.0.0.1:1/slow', 'GET', 150],
    ]);
    expect(report.targets[1]!.error_rate).toBeCloseTo(15 / 150, 6);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('evaluates run-wide and per-target thresholds', () => {
    expect(report.thresholds.map((t) => [t.expression, t.target, t.passed])).toEqual([
      ['p99 < 10ms', 'fast', true],
      ['p99 < 10ms', 'http://127.0.0.1:1/slow', false],
      ['error_rate < 5%', 'http://127.0.0.1:1/slow', false],
      ['p50 < 250ms', undefined, true],
      ['rps >= 99', undefined, true],
      ['dropped < 1', undefined, false],
      ['max <= 0.5s', 'http://127.0.0.1:1/slow', true],
    ]);
    expect(thresholdsPassed(report)).toBe(false);
  });

  it('has a per-second series, also as CSV', () => {
    expect(report.timeseries.map((p) => [p.t, p.requests, p.errors, p.dropped, p.rps])).toEqual([
      [0, 100, 5, 0, 100],
      [1, 100, 5, 0, 100],
      [2, 100, 5, 1, 100],
    ]);
    const csv = timeseriesCsv(report.timeseries).trim().split('\n');
    expect(csv[0]).toBe('t,requests,errors,dropped,rps,p50_ms,p99_ms');
    expect(csv).toHaveLength(4);
    expect(csv[1]!.split(',').slice(0, 5)).toEqual(['0', '100', '5', '0', '100']);
  });
});
