import { describe, expect, it } from 'vitest';
import { healthScore, healthState, penalty, type AlertThresholds } from '../../actors/node-monitor/score.js';

const T: AlertThresholds = {
  cpu_warning: 80, cpu_critical: 95, memory_warning: 85, memory_critical: 95, disk_warning: 80, disk_critical: 95,
  event_loop_delay_warning_ms: 100, event_loop_delay_critical_ms: 500,
};
const idle = { cpu_percent: 0, memory_percent: 0, disk_percent: 0, event_loop_delay_ms: 0, checks_total: 0, checks_failed: 0 };

describe('penalty', () => {
  it.each([
    [0, 0], [40, 0.25], [80, 0.5], [87.5, 0.75], [95, 1], [100, 1], [-1, 0], [NaN, 0],
  ])('cpu %d%% → %d', (u, p) => expect(penalty(u, 80, 95)).toBeCloseTo(p, 6));
});

describe('health score and state', () => {
  it.each([
    ['idle machine', idle, 100, 'healthy'],
    ['half-busy CPU (0.3·0.3125)', { ...idle, cpu_percent: 50 }, 90.6, 'healthy'],
    ['CPU at warning (0.3·0.5)', { ...idle, cpu_percent: 80 }, 85, 'warning'],
    ['CPU critical (0.3·1)', { ...idle, cpu_percent: 99 }, 70, 'critical'],
    ['memory critical and disk at warning (0.25 + 0.15·0.5)', { ...idle, memory_percent: 96, disk_percent: 80 }, 67.5, 'critical'],
    ['event loop lag between bounds (0.1·0.75)', { ...idle, event_loop_delay_ms: 300 }, 92.5, 'warning'],
    ['one of two checks failing (0.2·0.5)', { ...idle, checks_total: 2, checks_failed: 1 }, 90, 'warning'],
    ['everything critical', { cpu_percent: 100, memory_percent: 100, disk_percent: 100, event_loop_delay_ms: 900, checks_total: 1, checks_failed: 1 }, 0, 'critical'],
    ['typical: 10% cpu, 30% memory, 24% disk', { ...idle, cpu_percent: 10, memory_percent: 30, disk_percent: 24 }, 91.5, 'healthy'],
  ] as const)('%s', (_, input, score, state) => {
    expect(healthScore(input, T)).toBeCloseTo(score, 1);
    expect(healthState(input, T)).toBe(state);
  });

  it('a low score alone makes a node critical', () => {
    const input = { ...idle, cpu_percent: 94, memory_percent: 94, disk_percent: 94 }; // each under critical
    expect(healthScore(input, T)).toBeLessThan(50);
    expect(healthState(input, T)).toBe('critical');
  });
});
