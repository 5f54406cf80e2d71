// What the HTML report shows, built from merged results: the JSON report, per node figures, and
// per-second series (p50/p95/p99 per second) for the whole run and each node.
import type { Store } from '../../store/store.js';
import { emptyResults, mergeDelta, summarize, type LoadResults, type ResultsDelta, type SecondResults, type Summary } from '../../stats/index.js';
import { pointOf, type SeriesPoint } from '../../live/execution-feed.js';
import type { ExecutionDoc } from '../../execution/contract.js';
import { mergedResults, reportFor } from '../../execution/view.js';
import type { ExecutionReport } from '../index.js';

export interface ReportData {
  report: ExecutionReport;
  /** The plan as submitted (or as read from the file). */
  plan: unknown;
  nodes: { node_id: string; summary: Summary }[];
  series: { merged: SeriesPoint[]; nodes: Record<string, SeriesPoint[]> };
  generated_at: string;
}

export function seriesOf(results: LoadResults): SeriesPoint[] {
  return Object.entries(results.seconds)
    .map(([t, s]) => pointOf(Number(t), s as SecondResults))
    .sort((a, b) => a.t - b.t);
}

/** Seconds of several results (tasks or nodes running together) added into one. */
export function mergeResults(parts: LoadResults[]): LoadResults {
  let out = emptyResults();
  let seq = 0;
  // Re-using mergeDelta keeps one definition of "adding seconds"; each part is one synthetic source.
  for (const p of parts) {
    out = mergeDelta(out, {
      run_id: `part-${seq++}`,
      seq: 1,
      final: true,
      totals: p.totals,
      latency: '',
      service: '',
      targets: [],
      seconds: Object.entries(p.seconds).map(([t, s]) => ({ t: Number(t), ...s })),
    });
    if (p.latency.totalCount > 0) out.latency.add(p.latency);
    if (p.service.totalCount > 0) out.service.add(p.service);
  }
  return out;
}

export function reportData(input: { report: ExecutionReport; plan: unknown; byNode: Map<string, LoadResults> }): ReportData {
  const durationS = input.report.duration_s;
  const nodes = [...input.byNode.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const merged = mergeResults(nodes.map(([, r]) => r));
  return {
    report: input.report,
    plan: input.plan,
    nodes: nodes.map(([node_id, r]) => ({ node_id, summary: summarize(r, durationS) })),
    series: { merged: seriesOf(merged), nodes: Object.fromEntries(nodes.map(([id, r]) => [id, seriesOf(r)])) },
    generated_at: new Date().toISOString(),
  };
}

/** An execution's report data from this peer's replica: its final report once ended, else merged now. */
export function storedReportData(store: Store, doc: ExecutionDoc, now: number): ReportData {
  const deltas = store.deltas(doc.execution_id);
  const report = doc.report && (doc.status === 'completed' || doc.status === 'failed') ? doc.report : reportFor(doc, mergedResults(doc, deltas), now);
  const byNode = new Map<string, LoadResults>();
  for (const d of deltas) {
    const node = d.run_id.split(':').at(-1)!;
    byNode.set(node, mergeDelta(byNode.get(node) ?? emptyResults(), d.delta as ResultsDelta));
  }
  return reportData({ report, plan: doc.source ?? doc.plan, byNode });
}
