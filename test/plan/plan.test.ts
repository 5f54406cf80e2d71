import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { loadTaskOf, parseDuration, parsePlan, validateLoadTask, validatePlan } from '../../src/plan/index.js';

function problemsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe('PLAN_INVALID');
    return (err as ValidationError).problems;
  }
  throw new Error('expected a ValidationError');
}

const target = { url: 'http://127.0.0.1:8080/' };

describe('durations', () => {
  it.each([
    [4, 4],
    ['4', 4],
    ['500ms', 0.5],
    ['4s', 4],
    ['2m', 120],
    ['1m30s', 90],
    ['1h', 3600],
    ['250us', 0.00025],
    [' 3 s ', 3],
  ])('%j is %d s', (input, seconds) => {
    expect(parseDuration(input)).toBeCloseTo(seconds, 9);
  });

  it.each([['abc'], ['4x'], ['-1s'], [-1], [Number.NaN], [null], ['s']])('%j is not a duration', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });
});

describe('parsePlan', () => {
  const yaml = `
name: checkout
tasks:
  - type: load_test
    parameters:
      targets:
        - url: http://127.0.0.1:8080/a
          weight: 3
          timeout: 2s
          expected_status: [200, 201]
        - url: http://127.0.0.1:8080/b
          method: post
          body: { item: 1 }
          thresholds: ["p99 < 250ms"]
      duration: 2m
      base_rps: 100
      peak_rps: 500
      pattern: ramp_up
      thresholds:
        - error_rate < 1%
        - { target: http://127.0.0.1:8080/a, expression: "p95 <= 0.5s" }
`;

  it('reads YAML and normalises the load task', () => {
    const plan = parsePlan(yaml);
    expect(plan.name).toBe('checkout');
    const task = loadTaskOf(plan.tasks[0]!)!;
    expect(task.model).toBe('open');
    expect(task.duration).toBe(120);
    expect(task.pattern).toBe('ramp_up');
    expect(task.targets[0]).toMatchObject({ method: 'GET', weight: 3, timeout: 2, expected_status: [200, 201] });
    expect(task.targets[1]).toMatchObject({ method: 'POST', body: '{"item":1}', headers: { 'content-type': 'application/json' } });
    expect(task.thresholds).toEqual([
      { expression: 'p99 < 250ms', target: 1 },
      { expression: 'error_rate < 1%' },
      { expression: 'p95 <= 0.5s', target: 0 },
    ]);
  });

  it('reads the same plan from JSON', () => {
    const json = JSON.stringify({ name: 'n', tasks: [{ type: 'load_test', parameters: { targets: [target], duration: 4, base_rps: 500 } }] });
    const task = parsePlan(json).tasks[0]!.parameters;
    expect(task).toMatchObject({ model: 'open', pattern: 'constant', base_rps: 500, peak_rps: 500, duration: 4, connections: 50, max_in_flight: 50 });
    expect(parsePlan(json, 'json')).toEqual(parsePlan(json, 'yaml'));
  });

  it('reports text that is not JSON or YAML as one problem', () => {
    const problems = problemsOf(() => parsePlan('{"name": ', 'json'));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/not valid JSON/);
  });
});

describe('validation lists every problem with its path', () => {
  it('names several bad fields at once', () => {
    const problems = problemsOf(() =>
      validatePlan({
        name: '',
        tasks: [
          {
            type: 'load_test',
            parameters: {
              targets: [{ url: 'http://ok/' }, { url: 'not a url', weight: -1, method: 'FETCH' }],
              duration: '4 fortnights',
              base_rps: -5,
              durration: 4,
              pattern: 'zigzag',
              thresholds: ['p98 < 1ms', { expression: 'p99 < 1ms', target: 'nowhere' }],
            },
          },
          { type: 'teleport', parameters: {} },
          { type: 'load_test', parameters: { targets: [] }, extra: true },
        ],
      }),
    );
    const paths = problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'name',
        'tasks[0].parameters.targets[1].url',
        'tasks[0].parameters.targets[1].weight',
        'tasks[0].parameters.targets[1].method',
        'tasks[0].parameters.duration',
        'tasks[0].parameters.base_rps',
        'tasks[0].parameters.durration',
        'tasks[0].parameters.pattern',
        'tasks[0].parameters.thresholds[0]',
        'tasks[0].parameters.thresholds[1].target',
        'tasks[1].type',
        'tasks[2].extra',
        'tasks[2].parameters.targets',
        'tasks[2].parameters.duration',
        'tasks[2].parameters',
      ]),
    );
    // A bad base_rps is reported once, not also as a missing rate.
    expect(paths).not.toContain('tasks[0].parameters');
    expect(problems.find((p) => p.path === 'tasks[0].parameters.durration')!.message).toBe('unknown field');
    expect(problems.find((p) => p.path === 'tasks[1].type')!.message).toMatch(/unknown task type "teleport"/);
    expect(problems.find((p) => p.path === 'tasks[0].parameters.thresholds[0]')!.message).toMatch(/unknown metric "p98"/);
  });

  it('checks rules that span fields', () => {
    const paths = (params: object) => problemsOf(() => validateLoadTask(params, 'parameters')).map((p) => p.path);
    expect(paths({ targets: [target], duration: 4, pattern: 'ramp_up', base_rps: 10 })).toEqual(['parameters.peak_rps']);
    expect(paths({ targets: [target], duration: 4, pattern: 'wave', base_rps: 10, peak_rps: 5 })).toEqual(['parameters.peak_rps']);
    expect(paths({ targets: [target], duration: 4, pattern: 'ramp_up', peak_rps: 10, stages: [{ duration: 1, target: 5 }] })).toEqual(['parameters.pattern', 'parameters.duration']);
    expect(paths({ targets: [target], duration: 4 })).toEqual(['parameters']);
    expect(paths({ targets: [target], base_rps: 4 })).toEqual(['parameters.duration']);
    expect(paths({ targets: [target], duration: 4, base_rps: 4, think_time: '1s' })).toEqual(['parameters.think_time']);
    expect(paths({ targets: [target], duration: 4, concurrent_users: 4, max_in_flight: 3 })).toEqual(['parameters.max_in_flight']);
    expect(paths({ targets: [target, { ...target }], duration: 4, base_rps: 4, thresholds: [{ expression: 'p99<1s', target: target.url }] })).toEqual([
      'parameters.thresholds[0].target',
    ]);
  });

  it('picks the model and its defaults', () => {
    const closed = validateLoadTask({ targets: [target], duration: '10s', concurrent_users: 20, think_time: '100ms' });
    expect(closed).toMatchObject({ model: 'closed', concurrent_users: 20, connections: 20, think_time: 0.1 });
    const open = validateLoadTask({ targets: [target], duration: 10, base_rps: 100, concurrent_users: 30, pipelining: 4 });
    expect(open).toMatchObject({ model: 'open', connections: 30, max_in_flight: 30, pipelining: 4, max_lateness: 1, seed: 1 });
    const staged = validateLoadTask({ targets: [target], stages: [{ duration: '30s', target: 100 }, { duration: '1m', target: 0 }] });
    expect(staged).toMatchObject({ model: 'open', pattern: 'stages', duration: 90, base_rps: 0 });
  });
});
