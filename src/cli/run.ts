// `node peer.js run PLAN`: run a plan on this peer alone, show progress, print and save the report.
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { errorMessage, ValidationError } from '../errors.js';
import { isLoadLike, loadTaskOf, parsePlan, planAsRun, type Plan } from '../plan/index.js';
import { baselineFiguresFor, baselineSection, parseBaselineReport, type BaselineReport } from '../report/baseline-source.js';
import { gateFailures, withSections, type TaskSections } from '../report/sections.js';
import { probePorts } from '../guardrails/probe-ports.js';
import { systemClock } from '../util/clock.js';
import { ConfigSchema, type Config } from '../config/schema.js';
import { guardPlan, policyFromConfig } from '../guardrails/index.js';
import { resolvePlanSecrets } from '../security/secrets.js';
import type { Logger } from '../util/log.js';
import { startLocalTask, type LocalTask } from './local-tasks.js';
import { workersFor } from '../../actors/load-generator/work-split.js';
import { loadWorkerCount, prepareLoadWorkers } from '../../actors/load-generator/worker-pool.js';
import { WARM_UP_LEAD_MS } from '../../actors/load-generator/warm-up.js';
import { WHOLE } from '../execution/segment.js';
import { executionReport, timeseriesCsv } from '../report/index.js';
import { ProgressPrinter, type ProgressFigures } from './progress.js';
import { sectionsTable, summaryTable } from './summary-table.js';
import { EXIT } from './exit-codes.js';

export interface RunCommandOptions {
  out?: string;
  csv?: string;
  /** A self-contained HTML report. */
  html?: string;
  /** An earlier report (--out) the performance tasks are compared with. */
  baseline?: string;
}

async function readPlan(file: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ValidationError('PLAN_INVALID', `cannot read plan ${file}`, [{ path: '', message: (error as Error).message }]);
  }
  const ext = extname(file).toLowerCase();
  return parsePlan(text, ext === '.json' ? 'json' : ext === '.yaml' || ext === '.yml' ? 'yaml' : undefined);
}

async function readBaseline(file: string): Promise<BaselineReport> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ValidationError('BASELINE_INVALID', `cannot read the baseline ${file}`, [{ path: '', message: errorMessage(error) }]);
  }
  return parseBaselineReport(value, file);
}

export async function runPlanCommand(file: string, options: RunCommandOptions, log: Logger, config: Config = ConfigSchema.parse({})): Promise<number> {
  let plan: Plan;
  let baseline: BaselineReport | undefined;
  const { policy } = policyFromConfig(config, { whenUnset: 'any' });
  try {
    plan = await readPlan(file);
    if (options.baseline) baseline = await readBaseline(options.baseline);
    // The same caps and allow-list as a peer's API (any target when no list is set), probe targets included.
    await guardPlan(plan, policy);
    plan = resolvePlanSecrets(plan, process.env);
  } catch (error) {
    if (error instanceof ValidationError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT.INVALID;
    }
    throw error;
  }
  if (baseline && !plan.tasks.some((t) => t.type === 'performance_test')) process.stderr.write('--baseline is compared with performance_test tasks only; this plan has none\n');
  const executionId = randomUUID();
  // This process has no control plane to keep free: worker threads only when a task needs more than
  // one thread's worth of sending (booting them costs more start-up than one thread's run saves).
  const available = loadWorkerCount();
  const loads = plan.tasks.map(loadTaskOf).filter((t) => t !== undefined);
  const workers = loads.some((t) => workersFor(t, WHOLE, available) > 1) ? available : 0;
  if (workers > 0) await prepareLoadWorkers(workers);
  // Far enough ahead for load to warm its request path up first, as a cluster's runs do: started 50 ms
  // ahead, cold, V8 compiled that path while sending, and on a busy core (or one core, as
  // scripts/bench/pacing.ts pins it) its compiler thread held the sending loop: in 4 of 6 runs the
  // sender was 7-29 ms late at times, once leaving a 10 ms bin of arrivals at 5x the mean; warmed up,
  // 0.0-4.6 ms and at most 2.1x, for 0.02 CPU-s more (`pacing.js --workers run --root`, 5 December).
  const startAt = Date.now() + (loads.length > 0 ? WARM_UP_LEAD_MS : 50);
  const durationS = Math.max(0, ...loads.map((t) => t.duration));
  // Every URL a scan probes passes the allow-list too (crawled links stay on the target's origin, but still).
  const probe = probePorts(systemClock, policy);
  const runs = plan.tasks.map((task, i) => startLocalTask(task, { startAt, runId: `${executionId}:${i}`, probe, workers, saturation: config.health_monitoring.saturation }));
  const stopAll = () => runs.forEach((r) => r.stop());
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);

  const progress = new ProgressPrinter();
  let lastTotal = 0;
  let lastAt = startAt;
  const timer = setInterval(() => {
    const now = Date.now();
    const summary = progressOf(runs);
    progress.update({ elapsedS: Math.max(0, (now - startAt) / 1000), durationS, summary, currentRps: ((summary.total_requests - lastTotal) * 1000) / Math.max(1, now - lastAt) });
    lastTotal = summary.total_requests;
    lastAt = now;
  }, 1_000);

  const outcomes = await Promise.all(runs.map((r) => r.done));
  clearInterval(timer);
  progress.done();
  process.off('SIGINT', stopAll);
  process.off('SIGTERM', stopAll);

  const failed = outcomes.find((o) => o.status === 'failed');
  const stopped = outcomes.some((o) => o.status === 'stopped');
  const base = executionReport({
    executionId,
    plan: planAsRun(plan, (i) => outcomes[i]!.durationS),
    status: failed ? 'failed' : stopped ? 'cancelled' : 'completed',
    startedAt: Math.min(...outcomes.map((o) => o.startedAt)),
    finishedAt: Math.max(...outcomes.map((o) => o.finishedAt)),
    results: outcomes.map((o) => o.results),
  });
  const sections: TaskSections[] = outcomes.map((o, i) => {
    const task = plan.tasks[i]!;
    if (task.type !== 'performance_test' || !baseline) return o.sections;
    const current = plan.tasks.length === 1 ? base.summary : base.tasks![i]!.summary;
    return { ...o.sections, baseline: baselineSection(task.parameters, current, baselineFiguresFor(baseline, i), options.baseline!) };
  });
  const sectioned = withSections(base, plan, sections);
  const failures = gateFailures(sectioned, sections);
  // The gate's verdict in the report as the API gives it, when the plan has a test type.
  const report = plan.tasks.some((t) => t.type !== 'load_test') ? { ...sectioned, gate: { passed: failures.length === 0, failures } } : sectioned;
  if (plan.tasks.some(isLoadLike)) process.stdout.write(`${summaryTable(report)}\n`);
  else process.stdout.write(`${report.name}  (${report.status})\n`);
  const extra = sectionsTable(sections);
  if (extra) process.stdout.write(`${extra}\n`);
  if (options.out) await writeFile(options.out, JSON.stringify(report, null, 2) + '\n');
  if (options.csv) await writeFile(options.csv, timeseriesCsv(report.timeseries));
  if (options.html) {
    // One generator: this peer. Its tasks' results together are its "node".
    const { htmlReport, reportData, mergeResults } = await import('../report/html/index.js');
    const byNode = new Map([['local', mergeResults(outcomes.map((o) => o.results))]]);
    await writeFile(options.html, htmlReport(reportData({ report, plan: await readFile(file, 'utf8'), byNode })));
  }
  if (failed) {
    log.error('the run failed', { error: failed.error });
    return EXIT.FAILURE;
  }
  if (stopped) return EXIT.FAILURE;
  for (const f of failures) process.stderr.write(`gate: ${f}\n`);
  return failures.length === 0 ? EXIT.OK : EXIT.THRESHOLDS_FAILED;
}


/** The progress line's figures: counts of every task, latency percentiles of the slowest (cheap: no summary). */
function progressOf(runs: readonly LocalTask[]): ProgressFigures {
  const parts = runs.map((r) => r.progress());
  return {
    total_requests: parts.reduce((n, p) => n + p.requests, 0),
    failed_requests: parts.reduce((n, p) => n + p.failures, 0),
    dropped_requests: parts.reduce((n, p) => n + p.dropped, 0),
    latency_ms: { p50: Math.max(...parts.map((p) => p.p50Ms)), p99: Math.max(...parts.map((p) => p.p99Ms)) },
  };
}
