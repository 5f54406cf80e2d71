// The stress judge as a pure reducer over merged per-second results: when a step is judged, how it is
// judged, when the test stops, and what the breaking point is. Results are built by hand, as deltas
// from several "peers" merged the way the coordinator merges them.
import { describe, expect, it } from 'vitest';
import { checkStressTask, stressSteps, type StressSpec } from '../../src/plan/index.js';
import { initialJudge, judgeStress, stressReport, type JudgeEvent, type JudgeState } from '../../src/report/stress.js';
import { createHistogram, emptyCounters, encodeHistogram, mergeDelta, recordMs, emptyResults, type LoadResults } from '../../src/stats/index.js';

/** One second of one peer: requests, errors and a latency for each response. */
interface Second {
  t: number;
  requests: number;
  errors?: number;
  dropped?: number;
  latencyMs?: number;
}

let seq = 0;
function results(peers: Second[][]): LoadResults {
  let acc = emptyResults();
  peers.forEach((seconds, peer) => {
    const delta = {
      run_id: `run:0:peer${peer}`,
      seq: ++seq,
      final: false,
      totals: emptyCounters(),
      latency: '',
      service: '',
      targets: [],
      seconds: seconds.map((s) => {
        const h = createHistogram();
        for (let i = 0; i < s.requests; i++) recordMs(h, s.latencyMs ?? 5);
        return { t: s.t, requests: s.requests, errors: s.errors ?? 0, dropped: s.dropped ?? 0, latency: encodeHistogram(h) };
      }),
    };
    acc = mergeDelta(acc, delta);
  });
  return acc;
}

const spec: StressSpec = { start_rps: 10, step_rps: 10, step_duration: 1, max_rps: 30, slo: ['error_rate < 5%', 'p99 < 100ms'], steps: stressSteps(10, 10, 30, 1) };
const timing = { settleS: 0.1, deadlineS: 3 };

function drive(events: JudgeEvent[]): { state: JudgeState; stops: string[]; judged: number[] } {
  let state = initialJudge();
  const stops: string[] = [];
  const judged: number[] = [];
  for (const e of events) {
    const out = judgeStress(spec, timing, state, e);
    state = out.state;
    for (const effect of out.effects) {
      if (effect.type === 'stop') stops.push(effect.reason);
      else judged.push(effect.step.index);
    }
  }
  return { state, stops, judged };
}

describe('judgeStress', () => {
  it('judges a step once its arrivals are in, after the settle time, on the merged results of every peer', () => {
    // Step 0 (10 req/s) split over two peers: 6 + 4.
    const split = results([[{ t: 0, requests: 6 }], [{ t: 0, requests: 4 }]]);
    const onePeer = results([[{ t: 0, requests: 6 }]]);
    expect(drive([{ type: 'observe', elapsedS: 1.05, results: split }]).judged).toEqual([]); // not settled
    expect(drive([{ type: 'observe', elapsedS: 1.2, results: onePeer }]).judged).toEqual([]); // one peer's view: incomplete
    const out = drive([{ type: 'observe', elapsedS: 1.2, results: split }]);
    expect(out.judged).toEqual([0]);
    expect(out.state.judged[0]).toMatchObject({ rps: 10, requests: 10, achieved_rps: 10, passed: true, complete: true, client_saturated: null });
  });

  it('judges an incomplete step at its deadline', () => {
    const partial = results([[{ t: 0, requests: 6 }]]);
    const out = drive([
      { type: 'observe', elapsedS: 2, results: partial },
      { type: 'observe', elapsedS: 4.1, results: partial },
    ]);
    expect(out.judged).toEqual([0]);
    expect(out.state.judged[0]).toMatchObject({ complete: false, requests: 6 });
  });

  const table: Array<{ name: string; seconds: Second[]; status: string; breaking: object; brokenBy: string[] }> = [
    {
      name: 'errors break the third step',
      seconds: [{ t: 0, requests: 10 }, { t: 1, requests: 20 }, { t: 2, requests: 30, errors: 3 }],
      status: 'broken',
      breaking: { last_good_rps: 20, first_bad_rps: 30, cause: 'unknown' },
      brokenBy: ['error_rate < 5%'],
    },
    {
      name: 'latency breaks the second step',
      seconds: [{ t: 0, requests: 10 }, { t: 1, requests: 20, latencyMs: 250 }, { t: 2, requests: 30 }],
      status: 'broken',
      breaking: { last_good_rps: 10, first_bad_rps: 20, cause: 'unknown' },
      brokenBy: ['p99 < 100ms'],
    },
    {
      name: 'the first step already breaks',
      seconds: [{ t: 0, requests: 10, errors: 10 }],
      status: 'broken',
      breaking: { last_good_rps: null, first_bad_rps: 10, cause: 'unknown' },
      brokenBy: ['error_rate < 5%'],
    },
    {
      name: 'every arrival dropped (none sent) is a broken step, not a pass',
      seconds: [{ t: 0, requests: 10 }, { t: 1, requests: 0, dropped: 20 }],
      status: 'broken',
      breaking: { last_good_rps: 10, first_bad_rps: 20, cause: 'unknown' },
      brokenBy: ['p99 < 100ms'],
    },
    {
      name: 'held up to max_rps',
      seconds: [{ t: 0, requests: 10 }, { t: 1, requests: 20 }, { t: 2, requests: 30 }],
      status: 'held',
      breaking: { last_good_rps: 30, first_bad_rps: null, cause: null },
      brokenBy: [],
    },
  ];
  for (const c of table) {
    it(c.name, () => {
      const out = drive([{ type: 'observe', elapsedS: 10, results: results([c.seconds]) }]);
      const report = stressReport(out.state);
      expect(report.status).toBe(c.status);
      expect(report.breaking_point).toEqual(c.breaking);
      expect(report.broken_by).toEqual(c.brokenBy);
      expect(out.stops).toHaveLength(c.status === 'broken' ? 1 : 0);
      // Nothing is judged after the breaking step, and the curve has a point per judged step.
      expect(report.steps.every((s, i) => s.passed || i === report.steps.length - 1)).toBe(true);
      expect(report.curve).toHaveLength(report.steps.length);
    });
  }

  it('never judges a step the run did not reach, even on the final observation', () => {
    const out = drive([{ type: 'observe', elapsedS: 1.5, results: results([[{ t: 0, requests: 10 }, { t: 1, requests: 10 }]]), final: true }]);
    expect(out.judged).toEqual([0, 1]); // step 1 started; step 2 (from 2 s) never did
    expect(out.state.status).toBe('running');
  });

  it('tells a saturated generator from the target breaking once a monitor reports', () => {
    const seconds = [{ t: 0, requests: 10 }, { t: 1, requests: 20, errors: 10 }];
    const saturated = drive([{ type: 'saturation', second: 1, saturated: true }, { type: 'observe', elapsedS: 10, results: results([seconds]) }]);
    expect(stressReport(saturated.state).breaking_point.cause).toBe('client_saturated');
    expect(stressReport(saturated.state).note).toMatch(/limit of the generators/);
    const calm = drive([{ type: 'saturation', second: 1, saturated: false }, { type: 'observe', elapsedS: 10, results: results([seconds]) }]);
    expect(stressReport(calm.state).breaking_point.cause).toBe('target');
  });

  it('ignores observations after the verdict', () => {
    const broken = drive([
      { type: 'observe', elapsedS: 10, results: results([[{ t: 0, requests: 10, errors: 10 }]]) },
      { type: 'observe', elapsedS: 11, results: results([[{ t: 0, requests: 10 }, { t: 1, requests: 20 }]]) },
    ]);
    expect(broken.judged).toEqual([0]);
    expect(broken.stops).toHaveLength(1);
  });
});

describe('stress_test parameters', () => {
  it('builds the staircase as stages and lists the steps', () => {
    const { task, problems } = checkStressTask({ targets: [{ url: 'http://127.0.0.1:1/' }], start_rps: 50, step_rps: 25, max_rps: 110, step_duration: '2s', slo: ['p99 < 500ms'] });
    expect(problems).toEqual([]);
    expect(task!.stress.steps.map((s) => [s.rps, s.from, s.to])).toEqual([[50, 0, 2], [75, 2, 4], [100, 4, 6]]);
    expect(task!.stages).toEqual([
      { duration: 0, target: 50 }, { duration: 2, target: 50 },
      { duration: 0, target: 75 }, { duration: 2, target: 75 },
      { duration: 0, target: 100 }, { duration: 2, target: 100 },
    ]);
    expect(task!.duration).toBe(6);
    expect(task!.model).toBe('open');
  });

  it('names every bad field', () => {
    const { task, problems } = checkStressTask(
      { targets: [{ url: 'ftp://x' }], start_rps: 100, step_rps: 0, max_rps: 50, step_duration: 1.5, slo: ['p99 <'], duration: 3 },
      'tasks[0].parameters',
    );
    expect(task).toBeUndefined();
    expect(problems.map((p) => p.path).sort()).toEqual([
      'tasks[0].parameters.duration',
      'tasks[0].parameters.max_rps',
      'tasks[0].parameters.slo[0]',
      'tasks[0].parameters.step_duration',
      'tasks[0].parameters.step_rps',
      'tasks[0].parameters.targets[0].url',
    ]);
  });
});
