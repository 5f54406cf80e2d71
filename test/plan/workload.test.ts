import { describe, expect, it } from 'vitest';
import { isWorkload, validateWorkload } from '../../src/plan/workload.js';
import { ValidationError } from '../../src/errors.js';

const load = { targets: [{ url: 'http://127.0.0.1:9/' }], duration: 2, base_rps: 10 };

describe('workloads', () => {
  it('reads scenarios with defaults: implied capability, one node, the task duration as estimate', () => {
    const w = validateWorkload({ name: 'w', scenarios: [{ test_type: 'load_test', parameters: load, resource_requirements: { gpu: 1 }, location: 'eu-west-1' }] });
    expect(w).toMatchObject({ name: 'w', execution_mode: 'coordinated', strategy: undefined });
    expect(w.scenarios[0]).toMatchObject({
      scenario_id: 'scenario-1',
      estimated_duration_s: 2,
      demand: { scenario_id: 'scenario-1', required_capabilities: ['http_load'], resource_requirements: { gpu: 1 }, location: 'eu-west-1', nodes: 1 },
    });
    expect(w.scenarios[0]!.task.type).toBe('load_test');
  });

  it('takes the seed fields: strategy, mode, estimated duration, explicit capabilities', () => {
    const w = validateWorkload({
      name: 'w',
      strategy: 'locality_aware',
      execution_mode: 'sequential',
      scenarios: [{ scenario_id: 'api', name: 'API', test_type: 'load_test', parameters: load, required_capabilities: ['http_load', 'api_testing'], estimated_duration: '30m', nodes: 2 }],
    });
    expect(w.strategy).toBe('locality_aware');
    expect(w.execution_mode).toBe('sequential');
    expect(w.scenarios[0]).toMatchObject({ scenario_id: 'api', name: 'API', estimated_duration_s: 1800, demand: { required_capabilities: ['http_load', 'api_testing'], nodes: 2 } });
  });

  it('lists every problem with its path', () => {
    let error: ValidationError | undefined;
    try {
      validateWorkload({
        name: 'w',
        strategy: 'fastest',
        scenarios: [
          { test_type: 'load_test', parameters: { ...load, base_rps: -1 } },
          { test_type: 'teleport', parameters: {} },
          { scenario_id: 'x', test_type: 'load_test', parameters: load, nodes: 0 },
        ],
      });
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error?.code).toBe('WORKLOAD_INVALID');
    const paths = error!.problems.map((p) => p.path);
    expect(paths).toContain('strategy');
    expect(paths).toContain('scenarios[0].parameters.base_rps');
    expect(paths).toContain('scenarios[1].test_type');
    expect(paths).toContain('scenarios[2].nodes');
  });

  it('a plan with tasks is not a workload', () => {
    expect(isWorkload({ name: 'p', tasks: [] })).toBe(false);
    expect(isWorkload({ name: 'w', scenarios: [] })).toBe(true);
  });
});
