// Part of the composition root (src/peer.ts): node health. The board others read, the sampler, the
// node monitor's actor (samples, alerts, custom checks, gossip) and the health routes.
import type { Actor } from '../actor/actor.js';
import type { ActorSystem } from '../actor/system.js';
import type { Config } from '../config/schema.js';
import type { Router } from '../http/router.js';
import { healthRoutes } from '../http/routes/health.js';
import type { Transport } from '../transport/transport.js';
import type { Clock } from '../util/clock.js';
import { HealthBoard } from '../../actors/node-monitor/board.js';
import { checkFromConfig, type HealthCheck } from '../../actors/node-monitor/checks.js';
import type { NodeMonitorMessage } from '../../actors/node-monitor/messages.js';
import { nodeMonitor } from '../../actors/node-monitor/monitor.js';
import { healthGossipTiming } from '../../actors/node-monitor/publish.js';
import { systemSampler, type Sampler } from '../../actors/node-monitor/sampler.js';
import { loadWorkerThreads } from '../../actors/load-generator/worker-pool.js';

export interface NodeMonitorWiring {
  system: ActorSystem;
  transport: Transport;
  router: Router;
  config: Config;
  clock: Clock;
  dataDir: string;
  /** Checks given in code, beside the configured ones. */
  checks: HealthCheck[];
  activeRuns(): Promise<number>;
  /** Told when load starts running here (and its tail) and when it is over: what the monitor samples finely for. */
  onLoadHere?(busy: boolean): void;
}

export async function wireNodeMonitor(w: NodeMonitorWiring): Promise<{ board: HealthBoard; monitor: Actor<NodeMonitorMessage, unknown>; sampler: Sampler }> {
  const hm = w.config.health_monitoring;
  const gossip = healthGossipTiming(hm.check_interval * 1_000);
  const board = new HealthBoard(w.transport.self, { now: () => w.clock.now(), staleMs: gossip.staleMs, saturation: hm.saturation });
  const machine = systemSampler({ diskPath: w.dataDir, threads: loadWorkerThreads });
  let busy = false;
  const sampler: Sampler = {
    ...machine,
    precise(on) {
      machine.precise?.(on);
      if (on !== busy) w.onLoadHere?.((busy = on));
    },
  };
  const monitor: Actor<NodeMonitorMessage, unknown> = await w.system.spawn(
    nodeMonitor({
      transport: w.transport,
      board,
      sampler,
      intervalMs: hm.check_interval * 1_000,
      refreshMs: gossip.refreshMs,
      alertAfter: hm.alert_threshold,
      thresholds: hm.alert_thresholds,
      checks: [...hm.checks.map(checkFromConfig), ...w.checks],
      activeRuns: w.activeRuns,
    }),
  );
  healthRoutes(w.router, { nodeId: w.transport.self, health: board });
  return { board, monitor, sampler };
}
