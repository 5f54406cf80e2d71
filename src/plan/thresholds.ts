// Pass/fail rules on a run's results: `p99 < 250ms`, `error_rate < 1%`, `rps >= 900`, `dropped < 1`.
import { McpError } from '../errors.js';
import { quote } from '../validation.js';
import type { LatencyFigures } from '../stats/histogram.js';

export type { LatencyFigures };

export const THRESHOLD_METRICS = ['p50', 'p90', 'p95', 'p99', 'p999', 'mean', 'min', 'max', 'error_rate', 'rps', 'dropped'] as const;
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];
export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==';

export interface ThresholdRule {
  expression: string;
  metric: ThresholdMetric;
  op: ThresholdOp;
  /** Milliseconds for latency metrics, a fraction for error_rate, req/s for rps, a count for dropped. */
  value: number;
}

/** A threshold as written in a plan; `target` is a target's name, url or index (absent: the whole run). */
export interface ThresholdSpec {
  expression: string;
  target?: string | number;
}

export interface ThresholdResult {
  expression: string;
  /** The target's name (or url) for a per-target threshold. */
  target?: string;
  passed: boolean;
  /** The measured value in the rule's unit; null when there was nothing to measure. */
  actual: number | null;
}

/** What thresholds are evaluated against: the summary part of a report. */
export interface ThresholdMetrics {
  total_requests: number;
  dropped_requests: number;
  requests_per_second: number;
  error_rate: number;
  latency_ms: LatencyFigures;
  /** Responses by status: latency is measured on responses only. */
  status_codes?: Readonly<Record<string, number>>;
}

export interface ThresholdSubject {
  summary: ThresholdMetrics;
  targets: ReadonlyArray<ThresholdMetrics & { url: string; name?: string }>;
}

const ALIASES: Record<string, ThresholdMetric> = { 'p99.9': 'p999', avg: 'mean', latency: 'p50', error: 'error_rate', errors: 'error_rate', rate: 'rps' };
const LATENCY_UNITS: Record<string, number> = { '': 1, us: 1e-3, µs: 1e-3, ms: 1, s: 1000 };
const RULE = /^\s*([a-z_][a-z0-9_.]*)\s*(<=|>=|==|<|>)\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z\u00b5%]*)\s*$/i;

export class ThresholdError extends McpError {
  override name = 'ThresholdError';
  constructor(message: string) {
    super('THRESHOLD_INVALID', message);
  }
}

function isLatency(metric: ThresholdMetric): boolean {
  return metric !== 'error_rate' && metric !== 'rps' && metric !== 'dropped';
}

/** Parses one expression; throws ThresholdError naming what is wrong. */
export function parseThreshold(expression: string): ThresholdRule {
  const match = RULE.exec(expression);
  if (!match) throw new ThresholdError(`${quote(expression)} is not a threshold (expected e.g. "p99 < 250ms", "error_rate < 0.01", "rps >= 900")`);
  const [, rawMetric, op, rawValue, rawUnit] = match as unknown as [string, string, ThresholdOp, string, string];
  const name = rawMetric.toLowerCase();
  const metric = (THRESHOLD_METRICS as readonly string[]).includes(name) ? (name as ThresholdMetric) : ALIASES[name];
  if (metric === undefined) throw new ThresholdError(`unknown metric ${quote(rawMetric)} (known: ${THRESHOLD_METRICS.join(', ')})`);
  const unit = rawUnit.toLowerCase();
  let value = Number(rawValue);
  if (isLatency(metric)) {
    const scale = LATENCY_UNITS[unit];
    if (scale === undefined) throw new ThresholdError(`unit ${quote(rawUnit)} does not fit ${metric} (use us, ms or s)`);
    value *= scale;
  } else if (metric === 'error_rate') {
    if (unit === '%') value /= 100;
    else if (unit !== '') throw new ThresholdError(`unit ${quote(rawUnit)} does not fit error_rate (use a fraction or %)`);
  } else if (unit !== '') {
    throw new ThresholdError(`${metric} takes no unit, got ${quote(rawUnit)}`);
  }
  return { expression: expression.trim(), metric, op, value };
}

/** The problem with an expression, or undefined when it parses. */
export function thresholdProblem(expression: string): string | undefined {
  try {
    parseThreshold(expression);
    return undefined;
  } catch (err) {
    return err instanceof ThresholdError ? err.message : String(err);
  }
}

function measure(metrics: ThresholdMetrics, metric: ThresholdMetric): number | null {
  switch (metric) {
    case 'error_rate':
      return metrics.error_rate;
    case 'rps':
      return metrics.requests_per_second;
    case 'dropped':
      return metrics.dropped_requests;
    default: {
      // Latency exists only for requests that got a response: none (e.g. all refused) is nothing measured.
      const responses = metrics.status_codes ? Object.values(metrics.status_codes).reduce((a, b) => a + b, 0) : metrics.total_requests;
      return responses === 0 ? null : metrics.latency_ms[metric];
    }
  }
}

function compare(actual: number, op: ThresholdOp, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
      return actual === value;
  }
}

/** Index of the target a spec names (by index, name, then url), or -1. */
export function resolveThresholdTarget(ref: string | number, targets: ReadonlyArray<{ url: string; name?: string }>): number {
  if (typeof ref === 'number') return Number.isInteger(ref) && ref >= 0 && ref < targets.length ? ref : -1;
  const byName = targets.findIndex((t) => t.name === ref);
  return byName >= 0 ? byName : targets.findIndex((t) => t.url === ref);
}

/** Evaluates every spec; a spec that cannot be evaluated fails with `actual: null`, it never throws. */
export function evaluateThresholds(specs: readonly ThresholdSpec[], subject: ThresholdSubject): ThresholdResult[] {
  return specs.map((spec) => {
    let rule: ThresholdRule;
    try {
      rule = parseThreshold(spec.expression);
    } catch {
      return { expression: spec.expression, passed: false, actual: null };
    }
    let metrics: ThresholdMetrics | undefined = subject.summary;
    const result: ThresholdResult = { expression: rule.expression, passed: false, actual: null };
    if (spec.target !== undefined) {
      const index = resolveThresholdTarget(spec.target, subject.targets);
      const target = subject.targets[index];
      result.target = target ? (target.name ?? target.url) : String(spec.target);
      metrics = target;
    }
    const actual = metrics === undefined ? null : measure(metrics, rule.metric);
    result.actual = actual;
    result.passed = actual !== null && compare(actual, rule.op, rule.value);
    return result;
  });
}
