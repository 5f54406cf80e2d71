// `node peer.js run PLAN`: run a plan on this peer alone, show progress, print and save the report.
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ValidationError } from '../errors.js';
import { parsePlan, type Plan } from '../plan/index.js';
import { ConfigSchema, type Config } from '../config/schema.js';
import { guardPlan, policyFromConfig } from '../guardrails/index.js';
import { resolvePlanSecrets } from '../security/secrets.js';
import { summarize, type LoadResults } from '../stats/index.js';
import type { Logger } from '../util/log.js';
import { timeseriesCsv } from '../report/index.js';
import { runValidPlan } from '../library/run-plan.js';
import { ProgressPrinter } from './progress.js';
import { summaryTable } from './summary-table.js';
import { EXIT } from './exit-codes.js';

export interface RunCommandOptions {
  out?: string;
  csv?: string;
  /** A self-contained HTML report. */
  html?: string;
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
  const progress = new ProgressPrinter();
  let lastTotal = 0;
  let lastAt = Date.now();
  const stopper = new AbortController();
  const stopAll = () => stopper.abort();
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  const { report, passed, error, results } = await runValidPlan(plan, {
    signal: stopper.signal,
    onProgress({ elapsedS, durationS, results }) {
      const now = Date.now();
      const summary = summarize(combineForProgress(results), Math.max(0.001, elapsedS));
      progress.update({ elapsedS, durationS, summary, currentRps: ((summary.total_requests - lastTotal) * 1000) / Math.max(1, now - lastAt) });
      lastTotal = summary.total_requests;
      lastAt = now;
    },
  });
  progress.done();
  process.off('SIGINT', stopAll);
  process.off('SIGTERM', stopAll);

  process.stdout.write(`${summaryTable(report)}\n`);
  if (options.out) await writeFile(options.out, JSON.stringify(report, null, 2) + '\n');
  if (options.csv) await writeFile(options.csv, timeseriesCsv(report.timeseries));
  if (options.html) {
    // One generator: this peer. Its tasks' results together are its "node".
    const { htmlReport, reportData, mergeResults } = await import('../report/html/index.js');
    const byNode = new Map([['local', mergeResults(results)]]);
    await writeFile(options.html, htmlReport(reportData({ report, plan: await readFile(file, 'utf8'), byNode })));
  }
  if (report.status === 'failed') {
    log.error('the run failed', { error });
    return EXIT.FAILURE;
  }
  if (report.status === 'cancelled') return EXIT.FAILURE;
  return passed ? EXIT.OK : EXIT.THRESHOLDS_FAILED;
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
