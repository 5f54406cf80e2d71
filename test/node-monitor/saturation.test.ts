import { describe, expect, it } from 'vitest';
import { assessSaturation } from '../../actors/node-monitor/saturation.js';
import { saturationWarning, withSaturation } from '../../src/report/saturation.js';
import type { ProcessProbe } from '../../src/health.js';

const bounds = { event_loop_utilization: 0.9, event_loop_delay_ms: 100 };
const probe = (at: number, elu: number, delay: number, active_runs = 1): ProcessProbe => ({
  at, cpu_percent: elu * 100, event_loop_utilization: elu, event_loop_delay_p99_ms: delay, event_loop_delay_max_ms: delay, active_runs,
});

describe('saturation', () => {
  it.each([
    ['calm generator', [probe(1000, 0.3, 5), probe(2000, 0.4, 8)], false, 0],
    ['CPU-bound for one second', [probe(1000, 0.3, 5), probe(2000, 0.97, 20)], true, 1],
    ['event loop lagged', [probe(1000, 0.5, 250)], true, 1],
    ['both', [probe(1000, 0.99, 400)], true, 2],
    ['hot outside the run window', [probe(-500, 0.99, 900), probe(9000, 0.99, 900), probe(1000, 0.2, 1)], false, 0],
    ['hot while no run was active', [probe(1000, 0.99, 900, 0)], false, 0],
    ['no probes', [], false, 0],
  ] as const)('%s', (_, probes, saturated, reasons) => {
    const s = assessSaturation('g1', [...probes], 0, 3000, bounds);
    expect(s.saturated).toBe(saturated);
    expect(s.reasons).toHaveLength(reasons);
  });

  it('reports the figures', () => {
    const s = assessSaturation('g1', [probe(1000, 0.95, 20), probe(2000, 0.5, 150)], 0, 3000, bounds);
    expect(s).toMatchObject({ node_id: 'g1', probes: 2, max_cpu_percent: 95, max_event_loop_utilization: 0.95, max_event_loop_delay_p99_ms: 150 });
  });

  it('the summary warns only when a share was saturated', () => {
    const calm = assessSaturation('a', [probe(1000, 0.1, 1)], 0, 3000, bounds);
    const hot = assessSaturation('b', [probe(1000, 0.99, 1)], 0, 3000, bounds);
    expect(saturationWarning([calm])).toBeNull();
    expect(saturationWarning([calm, hot])).toMatch(/^latency was measured on an overloaded client: b \(CPU-bound/);
  });

  it('a report gets its shares and the summary says saturated, with the warning', () => {
    const hot = assessSaturation('b', [probe(1000, 0.99, 1)], 0, 3000, bounds);
    const out = withSaturation({ summary: { total_requests: 5 } }, [hot]);
    expect(out.summary).toEqual({ total_requests: 5, saturated: true, warnings: [saturationWarning([hot])] });
    expect(out.saturation).toEqual([hot]);
    expect(withSaturation({ summary: {} }, [])).toEqual({ summary: {} });
  });
});
