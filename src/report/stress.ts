// Judging a stress test's steps: a pure reducer over merged results (the local run's, or every peer's
// deltas merged by the coordinator), never one peer's view. A step is judged once its requests have had
// time to finish; the first step that breaks the objective ends the test.
import { evaluateThresholds, type StressSpec, type StressStep, type ThresholdResult } from '../plan/index.js';
import { addEncoded, createHistogram, latencyFigures, type LatencyFigures, type LoadResults } from '../stats/index.js';

export interface StepReport {
  index: number;
  /** The rate asked of this step. */
  rps: number;
  from_s: number;
  to_s: number;
  requests: number;
  errors: number;
  dropped: number;
  achieved_rps: number;
  error_rate: number;
  latency_ms: LatencyFigures;
  slo: ThresholdResult[];
  passed: boolean;
  /** False when it was judged at its deadline with requests still missing. */
  complete: boolean;
  /** Whether a generator was saturated during the step; null when no monitor said. */
  client_saturated: boolean | null;
}

export interface BreakingPoint {
  /** The highest rate that met the objective (null: even the first step broke it). */
  last_good_rps: number | null;
  /** The rate that broke it (null: none did, up to max_rps). */
  first_bad_rps: number | null;
  /** Who broke: the target, or a saturated generator (then it is not the target's limit); unknown without a monitor. */
  cause: 'target' | 'client_saturated' | 'unknown' | null;
}

export interface StressReport {
  status: 'running' | 'broken' | 'held';
  breaking_point: BreakingPoint;
  /** The objectives a breaking step failed. */
  broken_by: string[];
  steps: StepReport[];
  curve: Array<{ rps: number; achieved_rps: number; p50_ms: number; p99_ms: number; error_rate: number; dropped: number }>;
  note?: string;
}

export interface JudgeTiming {
  /** Seconds after a step's end before judging it, even when its arrivals all seem in (the last may still be in flight). */
  settleS: number;
  /** Seconds after a step's end when it is judged with whatever arrived (a request may take its timeout). */
  deadlineS: number;
}

export interface JudgeState {
  judged: StepReport[];
  status: StressReport['status'];
  /** Saturation reports per second since the start (from the node monitor, when there is one). */
  saturatedSeconds: number[];
  monitored: boolean;
}

export type JudgeEvent =
  | { type: 'observe'; elapsedS: number; results: LoadResults; final?: boolean }
  | { type: 'saturation'; second: number; saturated: boolean };

export type JudgeEffect = { type: 'step.judged'; step: StepReport } | { type: 'stop'; reason: string };

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

export function initialJudge(): JudgeState {
  return { judged: [], status: 'running', saturatedSeconds: [], monitored: false };
}

/** One step's figures from the per-second results of [from, to). */
export function stepFigures(results: LoadResults, step: StressStep, slo: readonly string[]): Omit<StepReport, 'complete' | 'client_saturated'> {
  let requests = 0;
  let errors = 0;
  let dropped = 0;
  const latency = createHistogram(64);
  for (let t = step.from; t < step.to; t++) {
    const s = results.seconds[t];
    if (!s) continue;
    requests += s.requests;
    errors += s.errors;
    dropped += s.dropped;
    addEncoded(latency, s.latency);
  }
  const durationS = step.to - step.from;
  const summary = {
    total_requests: requests,
    dropped_requests: dropped,
    requests_per_second: round(requests / durationS),
    error_rate: requests > 0 ? round(errors / requests, 6) : 0,
    latency_ms: latencyFigures(latency),
    // Latency exists for responses only: the histogram counts them.
    status_codes: { responses: latency.totalCount },
  };
  const results_ = evaluateThresholds(slo.map((expression) => ({ expression })), { summary, targets: [] });
  return {
    index: step.index,
    rps: step.rps,
    from_s: step.from,
    to_s: step.to,
    requests,
    errors,
    dropped,
    achieved_rps: summary.requests_per_second,
    error_rate: summary.error_rate,
    latency_ms: summary.latency_ms,
    slo: results_,
    // A step with no arrivals at all proves nothing; with arrivals and no request sent, it broke.
    passed: requests + dropped > 0 && results_.every((r) => r.passed),
  };
}

/** Arrivals a step should see across every peer: its rate over its length. */
function expectedArrivals(step: StressStep): number {
  return Math.round(step.rps * (step.to - step.from));
}

export function judgeStress(spec: StressSpec, timing: JudgeTiming, state: JudgeState, event: JudgeEvent): { state: JudgeState; effects: JudgeEffect[] } {
  if (event.type === 'saturation') {
    const saturatedSeconds = event.saturated && !state.saturatedSeconds.includes(event.second) ? [...state.saturatedSeconds, event.second] : state.saturatedSeconds;
    return { state: { ...state, monitored: true, saturatedSeconds }, effects: [] };
  }
  if (state.status !== 'running') return { state, effects: [] };
  const effects: JudgeEffect[] = [];
  const judged = [...state.judged];
  let status: JudgeState['status'] = 'running';
  for (const step of spec.steps.slice(judged.length)) {
    const sinceEnd = event.elapsedS - step.to;
    if (step.from >= event.elapsedS) break; // never reached (the run ended before it)
    if (sinceEnd < timing.settleS && !event.final) break;
    const figures = stepFigures(event.results, step, spec.slo);
    const seen = figures.requests + figures.dropped;
    const complete = seen >= expectedArrivals(step) - 1;
    if (!complete && sinceEnd < timing.deadlineS && !event.final) break;
    const saturated = state.monitored ? state.saturatedSeconds.some((s) => s >= step.from && s < step.to) : null;
    const report: StepReport = { ...figures, complete, client_saturated: saturated };
    judged.push(report);
    effects.push({ type: 'step.judged', step: report });
    if (!report.passed) {
      status = 'broken';
      effects.push({ type: 'stop', reason: `step ${step.index} at ${step.rps} req/s broke ${report.slo.filter((r) => !r.passed).map((r) => r.expression).join(', ')}` });
      break;
    }
    if (judged.length === spec.steps.length) status = 'held';
  }
  return { state: { ...state, judged, status }, effects };
}

export function stressReport(state: JudgeState): StressReport {
  const steps = state.judged;
  const bad = steps.find((s) => !s.passed);
  const good = steps.filter((s) => s.passed);
  const lastGood = bad ? steps.slice(0, bad.index).filter((s) => s.passed).at(-1) : good.at(-1);
  const cause: BreakingPoint['cause'] = !bad ? null : bad.client_saturated === null ? 'unknown' : bad.client_saturated ? 'client_saturated' : 'target';
  const report: StressReport = {
    status: state.status,
    breaking_point: { last_good_rps: lastGood?.rps ?? null, first_bad_rps: bad?.rps ?? null, cause },
    broken_by: bad ? bad.slo.filter((r) => !r.passed).map((r) => r.expression) : [],
    steps,
    curve: steps.map((s) => ({ rps: s.rps, achieved_rps: s.achieved_rps, p50_ms: s.latency_ms.p50, p99_ms: s.latency_ms.p99, error_rate: s.error_rate, dropped: s.dropped })),
  };
  if (cause === 'client_saturated') report.note = 'a generator was saturated during the breaking step: this is the limit of the generators, not of the target';
  else if (cause === 'unknown') report.note = 'no node monitor reported on the generators: a saturated client cannot be told apart from the target breaking';
  return report;
}
