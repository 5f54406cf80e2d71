import { describe, expect, it } from 'vitest';
import { emptyAlerts, evaluateAlerts, type AlertState, type Measurement } from '../../actors/node-monitor/alerts.js';

const cpu = (value: number): Measurement[] => [{ metric: 'cpu', value, levels: [{ level: 'warning', threshold: 80 }, { level: 'critical', threshold: 95 }] }];

function run(values: number[], after = 3) {
  let state: AlertState = emptyAlerts();
  const log: string[] = [];
  values.forEach((v, i) => {
    const r = evaluateAlerts(state, { node: 'n1', at: i * 1000, measurements: cpu(v), after });
    state = r.state;
    for (const a of r.effects.raised) log.push(`${i}: raise ${a.level} ${a.value}`);
    for (const a of r.effects.resolved) log.push(`${i}: resolve ${a.level} ${a.value}`);
  });
  return { state, log };
}

describe('alerts', () => {
  it.each([
    ['never breached', [10, 20, 30], []],
    ['two breaches are not enough', [90, 90, 10, 90, 90, 10], []],
    ['raised on the third consecutive breach, resolved when back', [90, 91, 92, 93, 50], ['2: raise warning 92', '4: resolve warning 50']],
    ['critical needs its own streak', [90, 96, 97, 98, 85, 10], ['2: raise warning 97', '3: raise critical 98', '4: resolve critical 85', '5: resolve warning 10']],
    ['raised again after resolution', [90, 90, 90, 10, 90, 90, 90], ['2: raise warning 90', '3: resolve warning 10', '6: raise warning 90']],
  ] as const)('%s', (_, values, expected) => {
    expect(run([...values]).log).toEqual(expected);
  });

  it('after 1 raises on the first breach', () => {
    expect(run([99], 1).log).toEqual(['0: raise warning 99', '0: raise critical 99']);
  });

  it('an alert carries id, node, metric, level, value, threshold, raised_at and resolved_at', () => {
    const { state } = run([90, 90, 91, 92, 10]);
    expect(state.history).toEqual([
      { id: 'n1:cpu:warning:1', node: 'n1', metric: 'cpu', level: 'warning', value: 10, threshold: 80, raised_at: 2000, resolved_at: 4000 },
    ]);
    expect(state.active).toEqual({});
  });

  it('an active alert follows the latest value', () => {
    const { state } = run([90, 90, 91, 93]);
    expect(Object.values(state.active).map((a) => a.value)).toEqual([93]);
    expect(state.history[0]!.value).toBe(93);
  });

  it('the input state is not changed', () => {
    const before = emptyAlerts();
    evaluateAlerts(before, { node: 'n1', at: 0, measurements: cpu(99), after: 1 });
    expect(before).toEqual(emptyAlerts());
  });
});
