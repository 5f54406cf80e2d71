// The node-monitor actor: samples this machine every check interval and this process every second,
// raises and resolves alerts, runs custom checks, gossips its health when it is news (publish.ts) or
// a member joined, and keeps everyone else's.
import type { ActorContext, Behaviour } from '../../src/actor/types.js';
import type { CheckResult, HealthSample } from '../../src/health.js';
import { publishTopic, subscribeTopic } from '../../src/protocol/topics.js';
import type { Transport, Unsubscribe } from '../../src/transport/transport.js';
import { assertNever } from '../../src/util/assert-never.js';
import { evaluateAlerts, type Measurement } from './alerts.js';
import type { HealthBoard } from './board.js';
import { runCheck, type HealthCheck } from './checks.js';
import type { NodeMonitorMessage } from './messages.js';
import type { Sampler, SystemSnapshot } from './sampler.js';
import { healthScore, healthState, parts, type AlertThresholds } from './score.js';
import { isNews } from './publish.js';
import { newlyAlive } from '../../src/protocol/membership.js';

export interface NodeMonitorInit {
  transport: Transport;
  board: HealthBoard;
  sampler: Sampler;
  intervalMs: number;
  /** A sample that is no news (publish.ts) is gossiped again after this long at the latest. */
  refreshMs: number;
  /** Consecutive breaching samples before an alert is raised. */
  alertAfter: number;
  thresholds: AlertThresholds;
  checks: HealthCheck[];
  /** Load runs active on this peer now. */
  activeRuns(): number | Promise<number>;
}

interface MonitorState {
  seq: number;
  sampling: boolean;
  checks: Map<string, HealthCheck>;
  results: Map<string, CheckResult>;
  /** Probes are gossiped while runs are active and for a few seconds after. */
  gossipProbesUntil: number;
  /** The last sample gossiped. */
  published: HealthSample | undefined;
  unsubscribe: Unsubscribe[];
}

export const PROBE_INTERVAL_MS = 1_000;
/** A member that joined hears our sample this long after (joins within the first delay are heard together). */
const WELCOME_DELAYS_MS = [250, 2_000] as const;
const PROBE_GOSSIP_TAIL_MS = 3_000;

export function nodeMonitor(init: NodeMonitorInit): Behaviour<NodeMonitorMessage, MonitorState> {
  const { board, transport } = init;
  const self = transport.self;

  const startCheck = (state: MonitorState, check: HealthCheck, ctx: ActorContext<NodeMonitorMessage>) => {
    state.checks.set(check.name, check);
    ctx.startInterval(`check:${check.name}`, check.intervalMs, { type: 'check.tick', name: check.name });
    ctx.self.tell({ type: 'check.tick', name: check.name });
  };

  const onSnapshot = (state: MonitorState, snap: SystemSnapshot, ctx: ActorContext<NodeMonitorMessage>) => {
    const now = ctx.clock.now();
    const probe = board.probes.get(self)?.at(-1) ?? { at: now, cpu_percent: 0, event_loop_utilization: 0, event_loop_delay_p99_ms: 0, event_loop_delay_max_ms: 0, active_runs: 0 };
    const checks = [...state.results.values()];
    const input = {
      cpu_percent: snap.cpu_percent,
      memory_percent: snap.memory_percent,
      disk_percent: snap.disk_percent,
      event_loop_delay_ms: probe.event_loop_delay_p99_ms,
      checks_total: checks.length,
      checks_failed: checks.filter((c) => !c.ok).length,
    };
    const measurements: Measurement[] = parts(input, init.thresholds).map((p) => ({
      metric: p.metric,
      value: p.value,
      levels: [
        { level: 'warning', threshold: p.warning },
        { level: 'critical', threshold: p.critical },
      ],
    }));
    for (const c of checks) measurements.push({ metric: `check:${c.name}`, value: c.ok ? 0 : 1, levels: [{ level: 'critical', threshold: 1 }] });
    const { state: alerts, effects } = evaluateAlerts(board.alertState, { node: self, at: now, measurements, after: init.alertAfter });
    board.alertState = alerts;
    for (const a of effects.raised) ctx.log.warn('alert raised', { metric: a.metric, level: a.level, value: a.value, threshold: a.threshold });
    for (const a of effects.resolved) ctx.log.info('alert resolved', { metric: a.metric, level: a.level, value: a.value });
    const score = healthScore(input, init.thresholds);
    const sample: HealthSample = {
      node_id: self,
      at: now,
      seq: state.seq++,
      ...snap,
      process: probe,
      checks,
      score,
      state: healthState(input, init.thresholds, score),
      active_alerts: Object.values(alerts.active),
    };
    board.samples.set(self, sample);
    if (isNews(state.published, sample, init.refreshMs)) publish(state, sample, ctx);
  };

  const publish = (state: MonitorState, sample: HealthSample, ctx: ActorContext<NodeMonitorMessage>) => {
    state.published = sample;
    publishTopic(transport, 'health', { type: 'health.sample', sample }).catch((error: unknown) => ctx.log.debug('health publish failed', { error }));
  };

  return {
    role: 'node-monitor',

    init(ctx) {
      const state: MonitorState = { seq: 0, sampling: false, checks: new Map(), results: new Map(), gossipProbesUntil: 0, published: undefined, unsubscribe: [] };
      state.unsubscribe.push(
        subscribeTopic(transport, 'health', (frame, from) => {
          switch (frame.type) {
            case 'health.sample':
              if (frame.sample.node_id === from) ctx.self.tell({ type: 'heard.sample', sample: frame.sample });
              break;
            case 'health.probe':
              if (frame.node_id === from) ctx.self.tell({ type: 'heard.probe', node_id: frame.node_id, probe: frame.probe });
              break;
            default:
              assertNever(frame);
          }
        }, ctx.log),
      );
      for (const check of init.checks) startCheck(state, check, ctx);
      ctx.startInterval('sample', init.intervalMs, { type: 'sample.tick' });
      ctx.startInterval('probe', PROBE_INTERVAL_MS, { type: 'probe.tick' });
      ctx.self.tell({ type: 'probe.tick' });
      ctx.self.tell({ type: 'sample.tick' });
      return state;
    },

    receive(state, msg, ctx) {
      switch (msg.type) {
        case 'sample.tick':
          // A slow sampler (statfs on a hung mount) must not pile up behind itself.
          if (state.sampling) break;
          state.sampling = true;
          init.sampler.system().then(
            (snapshot) => ctx.self.tell({ type: 'sample.taken', snapshot }),
            (error: unknown) => ctx.self.tell({ type: 'sample.failed', error }),
          );
          break;
        case 'sample.taken':
          state.sampling = false;
          onSnapshot(state, msg.snapshot, ctx);
          break;
        case 'sample.failed':
          state.sampling = false;
          ctx.log.warn('system sample failed', { error: msg.error });
          break;
        case 'probe.tick': {
          const at = ctx.clock.now();
          const figures = init.sampler.process();
          Promise.resolve(init.activeRuns()).then(
            (active_runs) => ctx.self.tell({ type: 'probe.taken', probe: { at, ...figures, active_runs } }),
            (error: unknown) => ctx.log.debug('active runs unknown', { error }),
          );
          break;
        }
        case 'probe.taken': {
          const { probe } = msg;
          const now = ctx.clock.now();
          board.addProbe(self, probe);
          if (probe.active_runs > 0) state.gossipProbesUntil = now + PROBE_GOSSIP_TAIL_MS;
          init.sampler.precise?.(now <= state.gossipProbesUntil);
          if (now <= state.gossipProbesUntil) {
            publishTopic(transport, 'health', { type: 'health.probe', node_id: self, probe }).catch((error: unknown) => ctx.log.debug('probe publish failed', { error }));
          }
          break;
        }
        case 'check.register':
          startCheck(state, msg.check, ctx);
          break;
        case 'check.tick': {
          const check = state.checks.get(msg.name);
          if (check) void runCheck(check, () => ctx.clock.now()).then((result) => ctx.self.tell({ type: 'check.done', result }));
          break;
        }
        case 'check.done':
          state.results.set(msg.result.name, msg.result);
          break;
        case 'heard.sample':
          if (msg.sample.node_id !== self) board.samples.set(msg.sample.node_id, msg.sample);
          break;
        case 'heard.probe':
          if (msg.node_id !== self) board.addProbe(msg.node_id, msg.probe);
          break;
        case 'members':
          // A newcomer has heard nothing from us yet: our latest sample, soon (joins come in bursts), and once
          // more a little later in case its subscription had not reached our gossip yet.
          if (newlyAlive(board.members, msg.members).length > 0) {
            ctx.startTimer('welcome', WELCOME_DELAYS_MS[0], { type: 'welcome' });
            ctx.startTimer('welcome-again', WELCOME_DELAYS_MS[1], { type: 'welcome' });
          }
          board.members = msg.members;
          break;
        case 'welcome': {
          const latest = board.samples.get(self);
          if (latest) publish(state, latest, ctx);
          break;
        }
        default:
          assertNever(msg);
      }
      return state;
    },

    stop(state) {
      for (const u of state.unsubscribe) u();
    },
  };
}
