// The observation surfaces of a peer, wired in one place: the live feed over the store, GET /metrics and
// /api/metrics, the live page with its events, and the HTML report of an execution.
import type { Store } from '../store/store.js';
import { ExecutionFeed } from '../live/execution-feed.js';
import type { Registry } from 'prom-client';
import type { HealthSummary, MetricsSources, NodeHealthSample } from '../metrics/sources.js';
import type { ExecutionDoc } from '../execution/contract.js';
import { progressPercent } from '../execution/view.js';
import type { Router } from './router.js';
import { metricsRoutes } from './routes/metrics.js';
import { reportRoutes } from './routes/report.js';
import { LiveHub, type LiveNode } from './page/live-hub.js';
import { pageRoutes } from './page/routes.js';

export interface ObserveSources {
  self: string;
  store: Store;
  /** Every known member, this peer included. */
  nodes(): Promise<(LiveNode & { status: string })[]>;
  coordinator(): Promise<{ node_id: string; term: number } | null>;
  /** True while this peer holds the coordinator role (through a lease renewal that comes late, too). */
  isCoordinator(): Promise<boolean>;
  /** Latest health per node (the node monitor's); empty when none runs. */
  nodeHealth(): NodeHealthSample[];
  healthSummary(): HealthSummary;
}

export function observeRoutes(router: Router, sources: ObserveSources): { close(): void } {
  const feed = new ExecutionFeed(sources.store);
  const metricsSources: MetricsSources = {
    self: sources.self,
    store: sources.store,
    feed,
    aliveNodes: async () => (await sources.nodes()).filter((n) => n.status === 'alive').length,
    isCoordinator: sources.isCoordinator,
    nodeHealth: sources.nodeHealth,
    healthSummary: sources.healthSummary,
  };
  // Made at the first scrape: prom-client's default metrics sample the event loop every 10 ms from the
  // moment they exist, which a peer nobody scrapes should not pay for (nor load the module).
  let registry: Promise<Registry> | undefined;
  metricsRoutes(router, () => (registry ??= import('../metrics/registry.js').then((m) => m.metricsRegistry(metricsSources))), metricsSources);
  const hub = new LiveHub({
    feed,
    nodes: sources.nodes,
    coordinator: sources.coordinator,
    nodeHealth: sources.nodeHealth,
    executions(limit) {
      const now = Date.now();
      return sources.store
        .listExecutions()
        .slice(0, limit)
        .map((e) => {
          const doc = e.doc as ExecutionDoc;
          return { execution_id: doc.execution_id, name: doc.name, status: doc.status, progress_percent: progressPercent(doc, now), created_at: doc.created_at };
        });
    },
  });
  pageRoutes(router, hub);
  reportRoutes(router, sources.store);
  return { close: () => hub.close() };
}
