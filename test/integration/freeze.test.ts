// A frozen generator (SIGSTOP) keeps its connections, so membership still says it is alive: its share
// must move within 2 s anyway, and when it wakes (SIGCONT) it must stop, not burst its stale share.
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { LocalCluster } from '../support/cluster.js';
import { ConfigSchema } from '../../src/config/schema.js';

interface ExecutionBody {
  status: string;
  start_at: string;
  nodes: { node_id: string; state: string; moved_at?: string; saturated?: boolean; saturation?: { max_event_loop_delay_p99_ms: number; reasons: string[] } }[];
  report: {
    summary: { saturated?: boolean; total_requests: number; dropped_requests: number; scheduled_requests: number; unaccounted_requests: number; unaccounted_max: number };
    unaccounted?: { note: string };
  };
}

const RATE = 300;
const DURATION = 8;
/** The event-loop delay past which a peer counts as saturated (the default health_monitoring.saturation). */
const SATURATION_DELAY_MS = ConfigSchema.parse({}).health_monitoring.saturation.event_loop_delay_ms;

const execution = (peer: PeerProcess, id: string) => getJson<ExecutionBody>(`${peer.httpUrl}/api/executions/${id}`);

describe('a frozen generator on 3 real peers', () => {
  let cluster: LocalCluster | undefined;
  let target: CountingTarget | undefined;
  afterEach(async () => {
    await cluster?.close();
    await target?.close();
  });

  it('SIGSTOP 4 s: its share moves within 2 s, it wakes without a burst, and every request is accounted for', async () => {
    target = await startCountingTarget();
    cluster = await LocalCluster.start(3);
    const coordinator = await cluster.waitForCoordinator();
    const victim = cluster.alive().find((p) => p.id !== coordinator.id)!;
    const body = { name: 'freeze', tasks: [{ type: 'load_test', parameters: { targets: [{ url: target.url }], duration: DURATION, base_rps: RATE } }] };
    const response = await fetch(`${coordinator.httpUrl}/api/executions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const { execution_id: id } = (await response.json()) as { execution_id: string };
    const running = await waitFor(async () => {
      const e = await execution(coordinator, id);
      return e.status === 'running' && e.start_at ? e : undefined;
    }, 5_000, 'running');
    const startAt = Date.parse(running.start_at);
    await new Promise((r) => setTimeout(r, startAt + 2_500 - Date.now()));
    victim.child.kill('SIGSTOP');
    const frozenAt = Date.now();
    await new Promise((r) => setTimeout(r, 4_000));
    victim.child.kill('SIGCONT');
    const done = await waitFor(async () => {
      const e = await execution(coordinator, id);
      return ['completed', 'failed', 'cancelled'].includes(e.status) ? e : undefined;
    }, 40_000, 'the end', 200);
    expect(done.status).toBe('completed');

    // The frozen peer's own figures show the freeze; the others' say whether the control plane could run.
    const survivors = done.nodes.filter((n) => n.node_id !== victim.id);
    const lagMs = Math.max(0, ...survivors.map((n) => n.saturation?.max_event_loop_delay_p99_ms ?? 0));
    const bins = target.countsBySecond(startAt, DURATION, 1_000);

    // Its share moved within 2 s of the freeze (the coordinator says when: arrivals due from then on are
    // the others'). Silence is counted from when the coordinator's event loop took in the last word, and
    // the move is made on its timer; a loop that stalled (the machine is shared) moves it that much later.
    const victimNode = done.nodes.find((n) => n.node_id === victim.id)!;
    expect(victimNode.state).toBe('failed');
    const movedAfterMs = Date.parse(victimNode.moved_at!) - frozenAt;
    const seen = `per second: ${bins.join(' ')}; moved ${movedAfterMs} ms after the freeze; the other peers' event-loop delay p99 up to ${lagMs} ms`;
    expect(movedAfterMs, seen).toBeGreaterThan(0);
    expect(movedAfterMs, seen).toBeLessThanOrEqual(2_000 + (lagMs > SATURATION_DELAY_MS ? lagMs : 0));

    // Never above 1.05× the asked rate in any second of the run; back at the asked rate in every whole
    // second of the run from 2 s after the freeze on. Seconds are counted from the start: the test's own
    // SIGCONT falls mid-second, so a pause of this process (which hosts the target and stamps arrivals)
    // when it sends it cannot push arrivals across a bin's edge.
    // Rates say something only when the generators that kept running kept up: a saturated client (its own
    // event-loop figures say so) sends late and in bunches whatever the shares do. The frozen one is
    // saturated by its freeze, which is the point of the test.
    const after = bins.slice(Math.ceil((frozenAt + 2_000 - startAt) / 1_000));
    expect(after.length, seen).toBeGreaterThanOrEqual(2);
    if (survivors.some((n) => n.saturated)) console.warn(`rates not checked: a running generator was saturated (${seen})`);
    else {
      for (const perSecond of bins) expect(perSecond, seen).toBeLessThanOrEqual(RATE * 1.05);
      for (const perSecond of after) expect(perSecond, seen).toBeGreaterThan(RATE * 0.9);
    }

    // One fate per scheduled request; the target's count within [reported, reported + unaccounted_max].
    const s = done.report.summary;
    expect(s.scheduled_requests).toBe(RATE * DURATION);
    expect(s.total_requests + s.dropped_requests + s.unaccounted_requests).toBe(s.scheduled_requests);
    expect(target.count()).toBeGreaterThanOrEqual(s.total_requests);
    expect(target.count()).toBeLessThanOrEqual(s.total_requests + s.unaccounted_max);
  }, 90_000);
});
