// Cluster-wide figures shared by GET /metrics and GET /api/metrics, read from this peer's replica of the
// executions and from the live feed.
import type { ExecutionDoc } from '../execution/contract.js';
import { addCounters, createHistogram, emptyCounters, meanOf, type Counters, type Histogram, type LoadResults } from '../stats/index.js';
import type { ExecutionFeed } from '../live/execution-feed.js';
import type { Store } from '../store/store.js';
import type { HealthSummary, MetricsSources, NodeHealthSample } from './sources.js';

export interface OrchestratorFigures {
  active_executions: number;
  tasks_completed: number;
  tasks_failed: number;
  /** Mean wall time of ended executions, seconds (null when none ended). */
  average_execution_time: number | null;
}

export function orchestratorFigures(store: Store): OrchestratorFigures {
  let active = 0;
  let completed = 0;
  let failed = 0;
  let durations = 0;
  let ended = 0;
  for (const e of store.listExecutions()) {
    const doc = e.doc as ExecutionDoc;
    const tasks = doc.plan.tasks.length;
    if (doc.status === 'pending' || doc.status === 'running') active++;
    else if (doc.status === 'completed') completed += tasks;
    else if (doc.status === 'failed') failed += tasks;
    if (doc.finished_at !== null && doc.status !== 'pending' && doc.status !== 'running') {
      durations += (doc.finished_at - (doc.start_at ?? doc.created_at)) / 1000;
      ended++;
    }
  }
  return { active_executions: active, tasks_completed: completed, tasks_failed: failed, average_execution_time: ended ? round(durations / ended, 3) : null };
}

/** Totals and latency of several results added up. */
export function addResults(parts: Iterable<LoadResults>): { counters: Counters; latency: Histogram } {
  let counters = emptyCounters();
  const latency = createHistogram(64);
  for (const p of parts) {
    counters = addCounters(counters, p.totals);
    if (p.latency.totalCount > 0) latency.add(p.latency);
  }
  return { counters, latency };
}

/** Requests per second over the last complete seconds (the newest second is still filling). */
export function recentRps(results: LoadResults, window = 3): number {
  const seconds = Object.keys(results.seconds).map(Number);
  if (seconds.length === 0) return 0;
  const newest = Math.max(...seconds);
  let sum = 0;
  let n = 0;
  for (let t = newest - window; t < newest; t++) {
    if (t < 0) continue;
    sum += results.seconds[t]?.requests ?? 0;
    n++;
  }
  return n === 0 ? results.seconds[newest]!.requests : round(sum / n, 3);
}

export function loadFigures(store: Store, feed: ExecutionFeed) {
  const live = feed.executions().filter((d) => !d.report);
  const liveResults = live.flatMap((d) => feed.results(d.execution_id)?.byTask ?? []);
  const { counters, latency } = addResults(liveResults);
  // Ended executions count through their final report (once each).
  let total = counters.requests;
  for (const e of store.listExecutions(['completed', 'failed', 'cancelled'])) {
    const doc = e.doc as ExecutionDoc;
    if (doc.report && !live.some((d) => d.execution_id === doc.execution_id)) total += doc.report.summary.total_requests;
  }
  return {
    total_requests: total,
    requests_per_second: round(liveResults.reduce((s, r) => s + recentRps(r), 0), 3),
    average_response_time: latency.totalCount ? round(meanOf(latency) / 1000, 3) : null,
    error_rate: counters.requests ? round(counters.failures / counters.requests, 6) : 0,
  };
}

export function healthFigures(samples: NodeHealthSample[], summary: HealthSummary) {
  const mean = (f: (s: NodeHealthSample) => number) => (samples.length ? round(samples.reduce((a, s) => a + f(s), 0) / samples.length, 2) : null);
  return {
    resource_utilization: {
      cpu_usage: mean((s) => s.cpu_percent),
      memory_usage: mean((s) => s.memory_percent),
      network_usage: mean((s) => s.network_bytes_per_s),
      disk_usage: mean((s) => s.disk_percent),
    },
    node_health: summary,
  };
}

/** GET /api/metrics: the seed's shape, cluster-wide. */
export async function apiMetrics(sources: MetricsSources) {
  const orchestrator = orchestratorFigures(sources.store);
  return {
    orchestrator: { ...orchestrator, total_nodes: await sources.aliveNodes() },
    load_generation: loadFigures(sources.store, sources.feed),
    ...healthFigures(sources.nodeHealth(), sources.healthSummary()),
  };
}

function round(x: number, digits: number): number {
  return Math.round(x * 10 ** digits) / 10 ** digits;
}
