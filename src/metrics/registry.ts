// GET /metrics: one prom-client registry per peer (never the global one, so several peers in one process
// do not clash), with the seed's metric names. Values are read at scrape time from the store, the live
// feed and the node monitor. Load metrics are this peer's own generator, labelled by execution: sum them
// over peers for the cluster. Orchestrator metrics are the cluster's, exported by the peer holding
// the coordinator role alone (0 elsewhere), so sum() over peers stays right. Executions leave the series once they have
// ended and the feed has let them go (its retention), so label cardinality stays bounded.
import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { addResults, orchestratorFigures, recentRps } from './figures.js';
import { promBuckets } from './hdr-prometheus.js';
import type { MetricsSources } from './sources.js';
import type { LoadResults } from '../stats/index.js';

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** This peer's generator results per followed execution. */
function localRuns(sources: MetricsSources): { execution_id: string; results: LoadResults }[] {
  const out: { execution_id: string; results: LoadResults }[] = [];
  for (const doc of sources.feed.executions()) {
    const mine = sources.feed.results(doc.execution_id)?.byNode.get(sources.self);
    if (mine && mine.totals.requests + mine.totals.dropped > 0) out.push({ execution_id: doc.execution_id, results: mine });
  }
  return out;
}

/** Requests by status class; requests with no response (timeouts, refusals) are `none`. */
export function byStatusClass(results: LoadResults): Record<string, number> {
  const out: Record<string, number> = {};
  let answered = 0;
  for (const [code, n] of Object.entries(results.totals.status)) {
    const cls = STATUS_CLASSES[Math.floor(Number(code) / 100) - 1] ?? 'other';
    out[cls] = (out[cls] ?? 0) + n;
    answered += n;
  }
  const none = results.totals.requests - answered;
  if (none > 0) out.none = none;
  return out;
}

export function metricsRegistry(sources: MetricsSources): Registry {
  const registry = new Registry();
  const registers = [registry];
  // Its event-loop lag histogram samples on a timer of its own, which wakes the process each period
  // for the peer's whole life once /metrics is first read: 10 ms by default, 0.6 % of a core of an idle
  // peer. 50 ms, as the node monitor's own at rest (actors/node-monitor/event-loop.ts).
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 50 });
  // Gauges named like counters fail `promtool check metrics`; the same figures stay, by type, without the suffix.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);

  // One read of the executions per scrape, shared by the metrics below (they are collected together).
  let cached: { at: number; figures: Promise<ReturnType<typeof orchestratorFigures> | null> } | undefined;
  const orchestrator = () => {
    if (!cached || Date.now() - cached.at > 500) {
      cached = { at: Date.now(), figures: sources.isCoordinator().then((yes) => (yes ? orchestratorFigures(sources.store) : null)) };
    }
    return cached.figures;
  };
  new Gauge({
    name: 'mcp_orchestrator_active_executions',
    help: 'Executions pending or running in the cluster (exported by the coordinator; 0 on other peers).',
    registers,
    async collect() {
      this.set((await orchestrator())?.active_executions ?? 0);
    },
  });
  new Gauge({
    name: 'mcp_orchestrator_total_nodes',
    help: 'Alive members of the cluster (exported by the coordinator; 0 on other peers).',
    registers,
    async collect() {
      this.set((await sources.isCoordinator()) ? await sources.aliveNodes() : 0);
    },
  });
  // Counters read from the replicated executions: set from their current totals at each scrape.
  for (const [name, key, help] of [
    ['mcp_orchestrator_tasks_completed_total', 'tasks_completed', 'Tasks of executions that completed (exported by the coordinator).'],
    ['mcp_orchestrator_tasks_failed_total', 'tasks_failed', 'Tasks of executions that failed (exported by the coordinator).'],
  ] as const) {
    new Counter({
      name,
      help,
      registers,
      async collect() {
        const figures = await orchestrator();
        this.reset();
        if (figures) this.inc(figures[key]);
      },
    });
  }

  // The seed's mcp_load_generator_total_requests as a counter family: Prometheus (and promtool) want the
  // sample of a counter to end in _total, as OpenMetrics writes any counter.
  new Counter({
    name: 'mcp_load_generator_total_requests_total',
    help: "Requests this peer's generator sent, by execution and status class (none: no response).",
    labelNames: ['execution_id', 'status_class'],
    registers,
    collect() {
      this.reset();
      for (const run of localRuns(sources)) {
        for (const [cls, n] of Object.entries(byStatusClass(run.results))) this.inc({ execution_id: run.execution_id, status_class: cls }, n);
      }
    },
  });
  new Gauge({
    name: 'mcp_load_generator_requests_per_second',
    help: "This peer's generator: requests per second over the last complete seconds, by execution.",
    labelNames: ['execution_id'],
    registers,
    collect() {
      this.reset();
      for (const run of localRuns(sources)) this.set({ execution_id: run.execution_id }, recentRps(run.results));
    },
  });
  new Gauge({
    name: 'mcp_load_generator_error_rate',
    help: "This peer's generator: failed / sent requests, by execution.",
    labelNames: ['execution_id'],
    registers,
    collect() {
      this.reset();
      for (const run of localRuns(sources)) {
        const { counters } = addResults([run.results]);
        this.set({ execution_id: run.execution_id }, counters.requests ? counters.failures / counters.requests : 0);
      }
    },
  });
  registry.registerMetric(responseTimeHistogram(sources) as unknown as Metric);

  const nodeGauge = (name: string, help: string, pick: (s: ReturnType<MetricsSources['nodeHealth']>[number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['node_id'],
      registers,
      collect() {
        this.reset();
        for (const s of sources.nodeHealth()) this.set({ node_id: s.node_id }, pick(s));
      },
    });
  nodeGauge('mcp_node_cpu_usage', 'CPU use of the node, percent.', (s) => s.cpu_percent);
  nodeGauge('mcp_node_memory_usage', 'Memory use of the node, percent.', (s) => s.memory_percent);
  nodeGauge('mcp_node_disk_usage', 'Disk use of the node, percent.', (s) => s.disk_percent);
  nodeGauge('mcp_node_network_usage', 'Network traffic of the node, bytes per second in and out.', (s) => s.network_bytes_per_s);
  nodeGauge('mcp_node_health_score', 'Health score of the node, 0-100.', (s) => s.health_score);
  return registry;
}

/** mcp_load_generator_response_time_seconds, from the HDR latency histograms (corrected latency). */
function responseTimeHistogram(sources: MetricsSources) {
  const name = 'mcp_load_generator_response_time_seconds';
  const help = "This peer's generator: request latency from the intended start, by execution.";
  return {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    async get() {
      const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
      for (const run of localRuns(sources)) {
        const b = promBuckets(run.results.latency);
        const labels = { execution_id: run.execution_id };
        for (const bucket of b.buckets) values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: bucket.le }, value: bucket.count });
        values.push({ metricName: `${name}_sum`, labels, value: b.sum });
        values.push({ metricName: `${name}_count`, labels, value: b.count });
      }
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
    reset() {},
  };
}

