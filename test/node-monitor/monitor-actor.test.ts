import { afterEach, describe, expect, it } from 'vitest';
import { ActorSystem } from '../../src/actor/system.js';
import { MemoryNetwork } from '../../src/transport/memory.js';
import { FakeClock } from '../../src/util/clock.js';
import { HealthBoard } from '../../actors/node-monitor/board.js';
import { functionCheck } from '../../actors/node-monitor/checks.js';
import { nodeMonitor } from '../../actors/node-monitor/monitor.js';
import type { Sampler, SystemSnapshot } from '../../actors/node-monitor/sampler.js';
import type { NodeMonitorMessage } from '../../actors/node-monitor/messages.js';
import type { Actor } from '../../src/actor/actor.js';

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};
const thresholds = {
  cpu_warning: 80, cpu_critical: 95, memory_warning: 85, memory_critical: 95, disk_warning: 80, disk_critical: 95,
  event_loop_delay_warning_ms: 100, event_loop_delay_critical_ms: 500,
};

/** A sampler that answers whatever the test sets. */
function fakeSampler() {
  const snap: SystemSnapshot = {
    cpu_percent: 10, cpu_cores: 4, memory_percent: 20, memory_used_bytes: 2, memory_total_bytes: 10, disk_percent: 30, disk_used_bytes: 3,
    disk_total_bytes: 10, network_rx_bytes_per_s: 100, network_tx_bytes_per_s: 50, load_average: [0.5, 0.4, 0.3],
  };
  const proc = { cpu_percent: 5, event_loop_utilization: 0.05, event_loop_delay_p99_ms: 1, event_loop_delay_max_ms: 2 };
  const watching: boolean[] = [];
  const sampler: Sampler = { system: async () => ({ ...snap }), process: () => ({ ...proc }), precise: (on) => watching.push(on), close: () => undefined };
  return { snap, proc, sampler, watching };
}

let system: ActorSystem | undefined;
afterEach(async () => system?.stop());

async function setup() {
  const clock = new FakeClock(0);
  const network = new MemoryNetwork();
  system = new ActorSystem({ clock });
  const peers: Record<string, { board: HealthBoard; fake: ReturnType<typeof fakeSampler>; runs: { n: number }; monitor: Actor<NodeMonitorMessage, unknown> }> = {};
  for (const id of ['a', 'b']) {
    const transport = network.createTransport(id);
    const board = new HealthBoard(id, { now: () => clock.now(), staleMs: 17_000, saturation: { event_loop_utilization: 0.9, event_loop_delay_ms: 100 } });
    const fake = fakeSampler();
    const runs = { n: 0 };
    const monitor = await system.spawn(nodeMonitor({ transport, board, sampler: fake.sampler, intervalMs: 5_000, refreshMs: 30_000, alertAfter: 3, thresholds, checks: [], activeRuns: () => runs.n }));
    peers[id] = { board, fake, runs, monitor };
  }
  network.connectAll();
  // What discovery tells every role once the peers have met (src/peer.ts).
  for (const [id, p] of Object.entries(peers)) p.monitor.tell({ type: 'members', members: Object.keys(peers).filter((o) => o !== id).map((node_id) => ({ node_id, status: 'alive' as const })) });
  await settle();
  const advance = async (ms: number, step = 500) => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(step);
      await settle();
    }
  };
  return { clock, system: system!, peers, advance };
}

describe('node monitor actor (fake clock, fake sampler, in-memory gossip)', () => {
  it('samples every interval, gossips, and every peer knows the aggregate', async () => {
    const { peers, advance } = await setup();
    await advance(5_000);
    const a = peers.a!.board;
    expect(a.latestSamples().get('a')).toMatchObject({ cpu_percent: 10, memory_percent: 20, state: 'healthy', seq: 1 });
    a.members = [{ node_id: 'b', status: 'alive' }];
    expect(a.latestSamples().get('b')).toMatchObject({ node_id: 'b', network_rx_bytes_per_s: 100 });
    expect(a.cluster()).toMatchObject({ healthy_nodes: 2, failed_nodes: 0 });
  });

  it('gossips a sample when it is news, an unchanged one only at the refresh, and its latest at once to a newcomer', async () => {
    const { peers, advance, clock } = await setup();
    await advance(1_000);
    const heardByB = () => peers.b!.board.latestSamples().get('a')!;
    const first = heardByB();
    await advance(20_000); // four more samples, the same figures
    expect(peers.a!.board.latestSamples().get('a')!.seq).toBeGreaterThan(first.seq);
    expect(heardByB().seq).toBe(first.seq);
    peers.a!.fake.snap.memory_percent = 60; // news
    await advance(5_000);
    expect(heardByB()).toMatchObject({ memory_percent: 60 });
    const changed = heardByB();
    await advance(30_000); // nothing new: one refresh
    expect(heardByB().seq).toBeGreaterThan(changed.seq);
    expect(heardByB().at).toBeGreaterThanOrEqual(changed.at + 30_000);
    // A member that joins (or comes back) hears the latest sample without waiting for news or the refresh.
    const latest = peers.a!.board.latestSamples().get('a')!;
    peers.b!.board.samples.delete('a');
    peers.a!.monitor.tell({ type: 'members', members: [{ node_id: 'b', status: 'alive' }, { node_id: 'c', status: 'alive' }] });
    await settle();
    clock.advance(300);
    await settle();
    expect(heardByB().seq).toBe(latest.seq);
  });

  it('raises an alert after 3 breaching samples and resolves it when the value is back', async () => {
    const { peers, advance } = await setup();
    await advance(1_000);
    const { board, fake } = peers.a!;
    fake.snap.cpu_percent = 90;
    await advance(10_000); // two breaching samples (5 s, 10 s)
    expect(board.alerts(true)).toEqual([]);
    await advance(5_000); // the third
    expect(board.alerts(true)).toMatchObject([{ node: 'a', metric: 'cpu', level: 'warning', value: 90, threshold: 80, raised_at: 15_000, resolved_at: null }]);
    // b hears a's active alert with its next sample
    expect(peers.b!.board.alerts(true).map((x) => x.node)).toEqual(['a']);
    fake.snap.cpu_percent = 20;
    await advance(5_000);
    expect(board.alerts(true)).toEqual([]);
    expect(board.alerts(false)).toMatchObject([{ metric: 'cpu', resolved_at: 20_000, value: 20 }]);
  });

  it('gossips process probes while load runs, so any peer can judge a generator saturated', async () => {
    const { peers, advance } = await setup();
    const a = peers.a!;
    a.runs.n = 1;
    a.fake.proc.event_loop_utilization = 0.98;
    a.fake.proc.cpu_percent = 99;
    await advance(3_000);
    a.runs.n = 0;
    a.fake.proc.event_loop_utilization = 0.1;
    await advance(6_000);
    const seenByB = peers.b!.board.saturation('a', 0, 3_000);
    expect(seenByB).toMatchObject({ saturated: true, max_event_loop_utilization: 0.98, max_cpu_percent: 99 });
    expect(seenByB.probes).toBeGreaterThanOrEqual(2);
    // The event loop was watched finely while the run went on (and its tail), coarsely after.
    const w = a.fake.watching;
    expect(w.filter((on) => on).length).toBeGreaterThanOrEqual(3);
    expect(w.at(-1)).toBe(false);
    expect(peers.b!.fake.watching.filter((on) => on).length).toBeLessThanOrEqual(1); // b ran nothing (at time 0 the tail test is true)
    // Idle afterwards: no probes gossiped beyond the tail, and an idle window is not saturated.
    expect(peers.b!.board.saturation('a', 4_000, 9_000).saturated).toBe(false);
    expect(peers.b!.board.probes.get('a')!.every((p) => p.at <= 3_000 + 3_000)).toBe(true);
  });

  it('runs a registered async check on its interval and degrades the node while it fails', async () => {
    const { system, advance, clock } = await setup();
    const board = new HealthBoard('c', { now: () => clock.now(), staleMs: 17_000, saturation: { event_loop_utilization: 0.9, event_loop_delay_ms: 100 } });
    let healthy = true;
    let calls = 0;
    const network = new MemoryNetwork();
    await system.spawn(
      nodeMonitor({
        transport: network.createTransport('c'),
        board,
        sampler: fakeSampler().sampler,
        intervalMs: 5_000,
        refreshMs: 30_000,
        alertAfter: 1,
        thresholds,
        checks: [functionCheck('db', async () => { calls++; return healthy; }, { intervalMs: 2_000, timeoutMs: 1_000 })],
        activeRuns: () => 0,
      }),
    );
    await advance(5_000);
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(board.latestSamples().get('c')).toMatchObject({ state: 'healthy', checks: [{ name: 'db', kind: 'function', ok: true, error: null }] });
    healthy = false;
    await advance(5_000);
    expect(board.latestSamples().get('c')).toMatchObject({ state: 'warning', score: expect.any(Number), checks: [{ name: 'db', ok: false, error: 'check returned false' }] });
    expect(board.alerts(true)).toMatchObject([{ metric: 'check:db', level: 'critical' }]);
  });
});
