// The live state of one execution for the page: progress, summary so far, thresholds evaluated on what has
// been measured (rates over the elapsed time), and per node totals. No time series here: the feed sends
// only the seconds that changed.
import { durationOf, evaluateThresholds, isLoadLike, type ThresholdResult } from '../plan/index.js';
import { summarize, summarizeParts, summarizeTarget, type LoadResults } from '../stats/index.js';
import type { ExecutionDoc } from '../execution/contract.js';
import { progressPercent } from '../execution/view.js';
import { addResults } from '../metrics/figures.js';

export interface LiveExecution {
  execution_id: string;
  name: string;
  status: string;
  progress_percent: number;
  start_at: number | null;
  duration_s: number;
  summary: { total_requests: number; failed_requests: number; dropped_requests: number; error_rate: number; requests_per_second: number; p50_ms: number; p95_ms: number; p99_ms: number };
  thresholds: (ThresholdResult & { task: number })[];
  nodes: { node_id: string; state: string; requests: number; errors: number }[];
}

export function liveExecution(doc: ExecutionDoc, byTask: LoadResults[], byNode: Map<string, LoadResults>, now: number): LiveExecution {
  const durationS = Math.max(...doc.plan.tasks.map(durationOf));
  const elapsedS = doc.start_at === null ? 0 : Math.min(durationS, Math.max(0.001, (now - doc.start_at) / 1000));
  const thresholds: LiveExecution['thresholds'] = [];
  doc.plan.tasks.forEach((task, i) => {
    const results = byTask[i];
    if (!results || !isLoadLike(task) || task.parameters.thresholds.length === 0) return;
    const rateS = doc.report ? task.parameters.duration : Math.min(elapsedS, task.parameters.duration) || 0.001;
    const summary = summarize(results, rateS);
    const targets = task.parameters.targets.map((t, index) => ({ url: t.url, ...(t.name !== undefined ? { name: t.name } : {}), ...summarizeTarget(results, index, rateS) }));
    for (const r of evaluateThresholds(task.parameters.thresholds, { summary, targets })) thresholds.push({ ...r, task: i });
  });
  const all = addResults(byTask);
  const whole = summarizeParts(all.counters, all.latency, all.latency, doc.report ? durationS : elapsedS || 0.001);
  return {
    execution_id: doc.execution_id,
    name: doc.name,
    status: doc.status,
    progress_percent: progressPercent(doc, now),
    start_at: doc.start_at,
    duration_s: durationS,
    summary: {
      total_requests: whole.total_requests,
      failed_requests: whole.failed_requests,
      dropped_requests: whole.dropped_requests,
      error_rate: whole.error_rate,
      requests_per_second: whole.requests_per_second,
      p50_ms: whole.latency_ms.p50,
      p95_ms: whole.latency_ms.p95,
      p99_ms: whole.latency_ms.p99,
    },
    thresholds: doc.report ? doc.report.thresholds.map((t) => ({ ...t, task: (t as { task?: number }).task ?? 0 })) : thresholds,
    nodes: doc.assignments.map((a) => {
      const r = byNode.get(a.node_id);
      return { node_id: a.node_id, state: a.state, requests: r?.totals.requests ?? 0, errors: r?.totals.failures ?? 0 };
    }),
  };
}
