import { describe, expect, it } from 'vitest';
import { distribute } from '../../actors/test-distributor/distribute.js';
import { learn, observe } from '../../actors/test-distributor/learn.js';
import { closeness, regionOf } from '../../actors/test-distributor/eligibility.js';
import type { Candidate, History, ScenarioDemand, Strategy } from '../../src/distribution.js';

const GB = 1024 ** 3;
function node(node_id: string, over: Partial<Candidate> = {}): Candidate {
  return {
    node_id,
    status: 'alive',
    capabilities: ['http_load'],
    location: 'eu-west-1',
    health: { state: 'healthy', score: 90, cpu_percent: 10 },
    capacity: { cpu: 4, memory: 8 * GB },
    free: { cpu: 4, memory: 8 * GB },
    active_runs: 0,
    ...over,
  };
}
const scenario = (scenario_id: string, over: Partial<ScenarioDemand> = {}): ScenarioDemand => ({ scenario_id, required_capabilities: ['http_load'], resource_requirements: {}, nodes: 1, ...over });

function place(strategy: Strategy, candidates: Candidate[], scenarios: ScenarioDemand[], history: History = {}, cursor = 0) {
  const plan = distribute({ strategy, candidates, scenarios, history, cursor });
  return { plan, nodes: plan.placements.map((p) => (p.ok ? p.nodes.join('+') : `refused`)) };
}

const a = node('a', { active_runs: 2, health: { state: 'healthy', score: 70, cpu_percent: 60 }, free: { cpu: 1, memory: 2 * GB } });
const b = node('b', { capabilities: ['http_load', 'security_testing', 'api_testing'], location: 'us-east-1' });
const c = node('c', { location: 'eu-west-2', health: { state: 'warning', score: 80, cpu_percent: 30 } });
const d = node('d', { capabilities: ['security_testing'], location: 'us-east-1', free: { cpu: 4, memory: 8 * GB, gpu: 1 }, capacity: { cpu: 4, memory: 8 * GB, gpu: 1 } });
const all = [a, b, c, d];

describe('distribution strategies: who takes what', () => {
  it.each<[string, Strategy, ScenarioDemand[], string[], number?]>([
    ['round robin walks node ids', 'round_robin', [scenario('s1'), scenario('s2'), scenario('s3'), scenario('s4')], ['a', 'b', 'c', 'a']],
    ['round robin continues from the cursor', 'round_robin', [scenario('s1'), scenario('s2')], ['c', 'a'], 2],
    ['round robin skips a node without the capability', 'round_robin', [scenario('s1')], ['a'], 3],
    ['least loaded avoids the busy node', 'least_loaded', [scenario('s1'), scenario('s2')], ['b', 'b']],
    ['capability based prefers the specialist', 'capability_based', [scenario('s1', { required_capabilities: ['security_testing'] })], ['d']],
    ['capability based: a generalist only when needed', 'capability_based', [scenario('s1', { required_capabilities: ['security_testing', 'http_load'] })], ['b']],
    ['locality aware: same location first', 'locality_aware', [scenario('s1', { location: 'eu-west-2' })], ['c']],
    ['locality aware: same region next', 'locality_aware', [scenario('s1', { location: 'eu-west-3' })], ['c']],
    ['locality aware: anywhere when nothing is near', 'locality_aware', [scenario('s1', { location: 'ap-south-1' })], ['b']],
    ['weighted: free capacity, health and location', 'weighted', [scenario('s1', { location: 'us-east-1' })], ['b']],
    ['weighted: location outweighs a small health gap', 'weighted', [scenario('s1', { location: 'eu-west-2' })], ['c']],
    ['resources: only the node with a gpu', 'least_loaded', [scenario('s1', { required_capabilities: [], resource_requirements: { gpu: 1 } })], ['d']],
    ['resources are consumed by earlier scenarios', 'least_loaded', [scenario('s1', { resource_requirements: { cpu: 3 } }), scenario('s2', { resource_requirements: { cpu: 3 } }), scenario('s3', { resource_requirements: { cpu: 3 } })], ['b', 'c', 'refused']],
    ['a scenario on two nodes', 'least_loaded', [scenario('s1', { nodes: 2 })], ['b+c']],
    ['pinned location under least_loaded', 'least_loaded', [scenario('s1', { location: 'eu-west-1' })], ['a']],
  ])('%s', (_, strategy, scenarios, expected, cursor = 0) => {
    expect(place(strategy, all, scenarios, {}, cursor).nodes).toEqual(expected);
  });

  it('every strategy refuses what no node can take, naming each node and what it lacked', () => {
    for (const strategy of ['round_robin', 'least_loaded', 'capability_based', 'locality_aware', 'weighted', 'adaptive'] as const) {
      const { plan } = place(strategy, all, [scenario('big', { required_capabilities: ['grpc_load'], resource_requirements: { cpu: 16 } })]);
      const p = plan.placements[0]!;
      expect(p.ok).toBe(false);
      if (p.ok) continue;
      expect(p.rejected.map((r) => r.node_id)).toEqual(['a', 'b', 'c', 'd']);
      expect(p.rejected[0]!.missing).toEqual(['capability grpc_load', 'cpu: needs 16, 1 free']);
      expect(p.reason).toMatch(/^needs 1 node\(s\), 0 can take it \(a: capability grpc_load, cpu: needs 16, 1 free; b: /);
    }
  });

  it('a pinned location that no node has is a reason', () => {
    const p = place('round_robin', [a], [scenario('s', { location: 'us-east-1' })]).plan.placements[0]!;
    expect(p.ok ? [] : p.rejected).toEqual([{ node_id: 'a', missing: ['location us-east-1 (is eu-west-1)'] }]);
  });

  it('dead, suspect and failed nodes are never chosen; a critical one ranks last', () => {
    const nodes = [
      node('x', { status: 'dead' }),
      node('y', { status: 'suspect' }),
      node('z', { health: { state: 'critical', score: 30, cpu_percent: 99 } }),
      node('w', { health: { state: 'failed', score: 0, cpu_percent: 0 } }),
    ];
    for (const strategy of ['round_robin', 'weighted', 'adaptive'] as const) expect(place(strategy, nodes, [scenario('s')]).nodes).toEqual(['z']);
    for (const strategy of ['weighted', 'adaptive'] as const) expect(place(strategy, [...nodes, node('v')], [scenario('s')]).nodes).toEqual(['v']);
  });

  it('round robin returns the next cursor', () => {
    expect(place('round_robin', all, [scenario('s1'), scenario('s2')]).plan.cursor).toBe(2);
  });
});

describe('adaptive', () => {
  const twins = [node('p'), node('q')];
  it('with no history it behaves like a score of capacity and health', () => {
    expect(place('adaptive', [node('p', { health: { state: 'healthy', score: 60, cpu_percent: 0 } }), node('q')], [scenario('s')]).nodes).toEqual(['q']);
  });

  it('moves load away from a peer that was saturated', () => {
    const history = learn({}, [
      { node_id: 'p', throughput_rps: 1000, asked_rps: 1000, saturated: true },
      { node_id: 'q', throughput_rps: 1000, asked_rps: 1000, saturated: false },
    ]);
    expect(place('adaptive', twins, [scenario('s')], history).nodes).toEqual(['q']);
  });

  it('prefers the peer that achieved more throughput', () => {
    const history = learn({}, [
      { node_id: 'p', throughput_rps: 5000, asked_rps: 5000, saturated: false },
      { node_id: 'q', throughput_rps: 1200, asked_rps: 5000, saturated: false },
    ]);
    expect(place('adaptive', twins, [scenario('s')], history).nodes).toEqual(['p']);
  });

  it('moves load away from an unhealthy peer', () => {
    const sick = node('p', { health: { state: 'warning', score: 40, cpu_percent: 85 } });
    expect(place('adaptive', [sick, node('q')], [scenario('s')]).nodes).toEqual(['q']);
  });

  it('learning follows change: later clean runs win a saturated peer back', () => {
    let h: History = learn({}, [{ node_id: 'p', throughput_rps: 900, asked_rps: 1000, saturated: true }]);
    expect(h.p).toEqual({ runs: 1, saturated_runs: 1, throughput_rps: 900, kept_up: 0.9 });
    for (let i = 0; i < 3; i++) h = learn(h, [{ node_id: 'p', throughput_rps: 1000, asked_rps: 1000, saturated: false }]);
    expect(h.p!.runs).toBe(4);
    expect(h.p!.saturated_runs).toBe(1);
    expect(h.p!.kept_up).toBeCloseTo(0.9875, 4);
    expect(h.p!.throughput_rps).toBeCloseTo(987.5, 1);
  });
});

describe('closeness', () => {
  it.each([
    ['eu-west-1', 'eu-west-1', 1],
    ['eu-west-1', 'eu-west-2', 0.5],
    ['eu-west-1', 'us-east-1', 0],
    ['local', 'local', 1],
    ['local', 'lab', 0],
    ['eu-west-1', undefined, 1],
  ] as const)('%s vs %s → %d', (x, y, expected) => expect(closeness(x, y)).toBe(expected));
  it('regions', () => expect([regionOf('us-east-1a'), regionOf('eu-west-2'), regionOf('local')]).toEqual(['us-east', 'eu-west', 'local']));
});

describe('observations of finished runs', () => {
  it('each share against its slice of the asked rate', () => {
    expect(observe(10, 300, [{ node_id: 'p', requests: 1000, saturated: false }, { node_id: 'q', requests: 500, saturated: true }])).toEqual([
      { node_id: 'p', throughput_rps: 100, asked_rps: 150, saturated: false },
      { node_id: 'q', throughput_rps: 50, asked_rps: 150, saturated: true },
    ]);
    expect(observe(0, 300, [{ node_id: 'p', requests: 1, saturated: false }])).toEqual([]);
  });
});
