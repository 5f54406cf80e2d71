// The summary printed at the end of `node peer.js run`.
import type { ExecutionReport } from '../report/index.js';
import { fmtMs } from './progress.js';
import type { TaskSections } from '../report/sections.js';

export function summaryTable(report: ExecutionReport): string {
  const s = report.summary;
  const l = s.latency_ms;
  const st = s.service_time_ms;
  const row = (label: string, value: string) => `  ${label.padEnd(24)} ${value}`;
  const lines = [
    `${report.name}  (${report.status}, ${report.duration_s}s)`,
    row('requests', `${s.total_requests}  (${s.requests_per_second} req/s)`),
    row('successful / failed', `${s.successful_requests} / ${s.failed_requests}  (error rate ${(s.error_rate * 100).toFixed(2)}%)`),
    row('dropped (not sent)', String(s.dropped_requests)),
    row('scheduled', `${s.scheduled_requests}  (sent + dropped + unaccounted)`),
    ...(s.unaccounted_requests > 0 ? [row('UNACCOUNTED', `${s.unaccounted_requests}  (up to ${s.unaccounted_max} may have reached the target)`)] : []),
    row('latency (corrected)', `min ${fmtMs(l.min)}  p50 ${fmtMs(l.p50)}  p90 ${fmtMs(l.p90)}  p95 ${fmtMs(l.p95)}  p99 ${fmtMs(l.p99)}  p99.9 ${fmtMs(l.p999)}  max ${fmtMs(l.max)}`),
    row('service time', `min ${fmtMs(st.min)}  p50 ${fmtMs(st.p50)}  p90 ${fmtMs(st.p90)}  p95 ${fmtMs(st.p95)}  p99 ${fmtMs(st.p99)}  p99.9 ${fmtMs(st.p999)}  max ${fmtMs(st.max)}`),
    row('status codes', Object.entries(s.status_codes).map(([k, v]) => `${k}: ${v}`).join('  ') || '-'),
    row('errors', Object.entries(s.errors).map(([k, v]) => `${k}: ${v}`).join('  ') || '-'),
    row('bytes in / out', `${s.bytes_received} / ${s.bytes_sent}`),
  ];
  if (report.unaccounted) lines.push(`  note: ${report.unaccounted.note}`);
  if (report.targets.length > 1) {
    lines.push('  targets:');
    for (const t of report.targets) lines.push(`    ${t.method} ${t.url}  ${t.total_requests} req  p99 ${fmtMs(t.latency_ms.p99)}  errors ${t.failed_requests}`);
  }
  if (report.thresholds.length > 0) {
    lines.push('  thresholds:');
    for (const t of report.thresholds) lines.push(`    ${t.passed ? 'PASS' : 'FAIL'}  ${t.target ? `${t.target}: ` : ''}${t.expression}  (actual ${t.actual ?? 'n/a'})`);
  }
  return lines.join('\n');
}

/** The test types' parts of the summary: a stress test's steps and breaking point, a baseline's comparison, security findings. */
export function sectionsTable(sections: readonly TaskSections[]): string {
  const lines: string[] = [];
  sections.forEach((s, task) => {
    const head = sections.length > 1 ? `task ${task} ` : '';
    if (s.stress) {
      const bp = s.stress.breaking_point;
      lines.push(`  ${head}stress: ${s.stress.status}  last good ${bp.last_good_rps ?? '-'} req/s, first bad ${bp.first_bad_rps ?? '-'} req/s${bp.cause ? ` (cause: ${bp.cause})` : ''}`);
      for (const st of s.stress.steps) {
        lines.push(`    ${st.passed ? 'PASS' : 'FAIL'}  ${String(st.rps).padStart(8)} req/s  achieved ${st.achieved_rps}  p99 ${fmtMs(st.latency_ms.p99)}  errors ${(st.error_rate * 100).toFixed(2)}%  dropped ${st.dropped}`);
      }
      if (s.stress.note) lines.push(`    note: ${s.stress.note}`);
    }
    if (s.baseline) {
      lines.push(`  ${head}baseline (${s.baseline.source}): ${s.baseline.passed ? 'no regression' : `${s.baseline.regressions.length} regression(s)`}`);
      for (const r of s.baseline.regressions) lines.push(`    REGRESSION  ${r}`);
    }
    if (s.security) {
      const c = s.security.counts;
      lines.push(`  ${head}security: ${s.security.findings.length} finding(s) (high ${c.high}, medium ${c.medium}, low ${c.low}) on ${s.security.pages.length} page(s), ${s.security.requests_sent} requests${s.security.note ? `; ${s.security.note}` : ''}`);
      for (const f of s.security.findings) lines.push(`    ${f.severity.toUpperCase().padEnd(6)}  ${f.title}  ${f.url}`);
    }
  });
  return lines.join('\n');
}
