// `node peer.js run PLAN`: run a plan on this peer alone, show progress, print and save the report.
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ValidationError } from '../errors.js';
import { parsePlan, type Plan } from '../plan/index.js';
import { ConfigSchema, type Config } from '../config/schema.js';
import { guardPlan, policyFromConfig } from '../guardrails/index.js';
import { resolvePlanSecrets } from '../security/secrets.js';
import { summarize, type LoadResults } from '../stats/index.js';
import type { Logger } from '../util/log.js';
import { startLoad } from '../../actors/load-generator/run.js';
import { executionReport, thresholdsPassed, timeseriesCsv } from '../report/index.js';
import { ProgressPrinter } from './progress.js';
import { summaryTable } from './summary-table.js';
import { EXIT } from './exit-codes.js';

export interface RunCommandOptions {
  out?: string;
  csv?: string;
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

export async function runPlanCommand(file: string, options: RunCommandOptions, log: Logger, config: Config = ConfigSchema.parse({})): Promise<number> {
  let plan: Plan;
  try {
    plan = await readPlan(file);
    // The same caps and allow-list as a peer's API (any target when no list is set).
    await guardPlan(plan, policyFromConfig(config, { whenUnset: 'any' }).policy);
    plan = resolvePlanSecrets(plan, process.env);
  } catch (error) {
    if (error instanceof ValidationError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT.INVALID;
    }
    throw error;
  }
  const executionId = randomUUID();
  const startAt = Date.now() + 50;
  const durationS = Math.max(...plan.tasks.map((t) => t.parameters.duration));
  const runs = plan.tasks.map((task, i) => startLoad({ params: task.parameters, startAt, runId: `${executionId}:${i}` }));
  const stopAll = () => runs.forEach((r) => r.stop());
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);

  const progress = new ProgressPrinter();
  let lastTotal = 0;
  let lastAt = startAt;
  const timer = setInterval(() => {
    const now = Date.now();
    const merged = runs.map((r) => r.snapshot());
    const summary = summarize(combineForProgress(merged), Math.max(0.001, (now - startAt) / 1000));
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
  const report = executionReport({
    executionId,
    plan,
    status: failed ? 'failed' : stopped ? 'cancelled' : 'completed',
    startedAt: Math.min(...outcomes.map((o) => o.startedAt)),
    finishedAt: Math.max(...outcomes.map((o) => o.finishedAt)),
    results: outcomes.map((o) => o.results),
  });
  process.stdout.write(`${summaryTable(report)}\n`);
  if (options.out) await writeFile(options.out, JSON.stringify(report, null, 2) + '\n');
  if (options.csv) await writeFile(options.csv, timeseriesCsv(report.timeseries));
  if (failed) {
    log.error('the run failed', { error: failed.error });
    return EXIT.FAILURE;
  }
  if (stopped) return EXIT.FAILURE;
  return thresholdsPassed(report) ? EXIT.OK : EXIT.THRESHOLDS_FAILED;
}

function combineForProgress(parts: LoadResults[]): LoadResults {
  if (parts.length === 1) return parts[0]!;
  const [first, ...rest] = parts;
  const out = { ...first!, totals: { ...first!.totals } };
  for (const p of rest) {
    out.totals.requests += p.totals.requests;
    out.totals.failures += p.totals.failures;
    out.totals.dropped += p.totals.dropped;
  }
  return out;
}
