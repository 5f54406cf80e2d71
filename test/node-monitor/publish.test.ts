import { describe, expect, it } from 'vitest';
import { NEWS_POINTS, healthGossipTiming, isNews } from '../../actors/node-monitor/publish.js';
import type { HealthSample } from '../../src/health.js';
import { newlyAlive } from '../../src/protocol/membership.js';

const base: HealthSample = {
  node_id: 'a', at: 10_000, seq: 1, cpu_percent: 20, cpu_cores: 2, memory_percent: 40, memory_used_bytes: 4, memory_total_bytes: 10,
  disk_percent: 50, disk_used_bytes: 5, disk_total_bytes: 10, network_rx_bytes_per_s: 100, network_tx_bytes_per_s: 50, load_average: [1, 1, 1],
  process: { at: 10_000, cpu_percent: 3, event_loop_utilization: 0.02, event_loop_delay_p99_ms: 1, event_loop_delay_max_ms: 2, active_runs: 0 },
  checks: [{ name: 'db', kind: 'http', ok: true, latency_ms: 3, error: null, at: 9_000 }],
  score: 90, state: 'healthy', active_alerts: [],
};
const alert = { id: 'a:cpu', node: 'a', metric: 'cpu', level: 'warning' as const, value: 85, threshold: 80, raised_at: 9_000, resolved_at: null };
const REFRESH = 30_000;

describe('isNews: when a health sample is gossiped', () => {
  const later = (change: Partial<HealthSample>): HealthSample => ({ ...base, at: base.at + 5_000, seq: 2, ...change });
  const cases: { name: string; last: HealthSample | undefined; next: HealthSample; news: boolean }[] = [
    { name: 'the first one', last: undefined, next: base, news: true },
    { name: 'the same figures 5 s later', last: base, next: later({}), news: false },
    { name: 'the same figures a refresh later', last: base, next: later({ at: base.at + REFRESH }), news: true },
    { name: 'traffic and load average moving', last: base, next: later({ network_rx_bytes_per_s: 9_000, load_average: [2, 1.5, 1] }), news: false },
    { name: 'CPU a little higher', last: base, next: later({ cpu_percent: base.cpu_percent + NEWS_POINTS.cpu - 1 }), news: false },
    { name: 'CPU much higher', last: base, next: later({ cpu_percent: base.cpu_percent + NEWS_POINTS.cpu }), news: true },
    { name: 'memory up by a few points', last: base, next: later({ memory_percent: base.memory_percent + NEWS_POINTS.memory }), news: true },
    { name: 'disk down by a few points', last: base, next: later({ disk_percent: base.disk_percent - NEWS_POINTS.disk }), news: true },
    { name: 'score a little lower', last: base, next: later({ score: base.score - NEWS_POINTS.score + 1 }), news: false },
    { name: 'score much lower', last: base, next: later({ score: base.score - NEWS_POINTS.score }), news: true },
    { name: 'another state', last: base, next: later({ state: 'warning' }), news: true },
    { name: 'a run started', last: base, next: later({ process: { ...base.process, active_runs: 1 } }), news: true },
    { name: 'an alert raised', last: base, next: later({ active_alerts: [alert] }), news: true },
    { name: 'an alert resolved', last: { ...base, active_alerts: [alert] }, next: later({}), news: true },
    { name: 'an alert that went critical', last: { ...base, active_alerts: [alert] }, next: later({ active_alerts: [{ ...alert, level: 'critical' }] }), news: true },
    { name: 'the same alert, its value moving', last: { ...base, active_alerts: [alert] }, next: later({ active_alerts: [{ ...alert, value: 88 }] }), news: false },
    { name: 'a check failing', last: base, next: later({ checks: [{ ...base.checks[0]!, ok: false, error: 'down' }] }), news: true },
    { name: 'a check still passing, slower', last: base, next: later({ checks: [{ ...base.checks[0]!, latency_ms: 40, at: 14_000 }] }), news: false },
  ];
  for (const c of cases) it(`${c.name}: ${c.news ? 'gossiped' : 'kept'}`, () => expect(isNews(c.last, c.next, REFRESH)).toBe(c.news));

  it('the others judge a sample stale only after a refresh was missed', () => {
    const { refreshMs, staleMs } = healthGossipTiming(5_000);
    expect(refreshMs).toBe(30_000);
    expect(staleMs).toBeGreaterThan(refreshMs + 5_000);
  });
});

describe('newlyAlive: who needs what is only announced now and then', () => {
  const m = (node_id: string, status: 'alive' | 'suspect' | 'dead') => ({ node_id, status });
  const cases = [
    { name: 'a new member', before: [m('a', 'alive')], after: [m('a', 'alive'), m('b', 'alive')], want: ['b'] },
    { name: 'a member back from the dead', before: [m('a', 'dead')], after: [m('a', 'alive')], want: ['a'] },
    { name: 'a suspect heard again', before: [m('a', 'suspect')], after: [m('a', 'alive')], want: [] },
    { name: 'a new member not alive yet', before: [], after: [m('a', 'suspect')], want: [] },
    { name: 'someone leaving', before: [m('a', 'alive'), m('b', 'alive')], after: [m('a', 'alive')], want: [] },
  ];
  for (const c of cases) it(c.name, () => expect(newlyAlive(c.before, c.after)).toEqual(c.want));
});
