// One task of a plan run on this peer alone, whatever its type: a load (load_test, performance_test),
// a stress staircase judged step by step as it runs, or a security scan.
import { errorMessage } from '../errors.js';
import type { PlanTask, StressTask } from '../plan/index.js';
import { initialJudge, judgeStress, stressReport, type JudgeState, type JudgeTiming } from '../report/stress.js';
import type { TaskSections } from '../report/sections.js';
import { emptyResults, type LoadResults, type RunProgress } from '../stats/index.js';
import { startLoad, type LoadRun, type RunOutcome } from '../../actors/load-generator/run.js';
import type { SecurityTask } from '../plan/security-task.js';
import type { ProbePorts } from '../../actors/load-generator/security/probe-client.js';
import type { SaturationBounds } from '../../actors/node-monitor/saturation.js';
import { watchOwnSaturation } from './local-saturation.js';

/** A load's outcome (a scan's too), with its test type's report sections. */
export interface LocalTaskOutcome extends Omit<RunOutcome, 'id'> {
  sections: TaskSections;
}

export interface LocalTask {
  readonly startAt: number;
  readonly done: Promise<LocalTaskOutcome>;
  stop(): void;
  /** Load results so far (empty for a scan). */
  snapshot(): LoadResults;
  /** Counts so far, cheaply (zero for a scan). */
  progress(): RunProgress;
}

const NO_PROGRESS: RunProgress = { requests: 0, failures: 0, dropped: 0, p50Ms: 0, p99Ms: 0 };

export interface LocalTaskOptions {
  startAt: number;
  runId: string;
  /** The clock and the allow-list check of the security probes. */
  probe: ProbePorts;
  /** Worker threads a load may send on (0: this thread). */
  workers?: number;
  /** When this process counts as saturated (health_monitoring.saturation; default: its defaults). */
  saturation?: SaturationBounds;
}

const DEFAULT_SATURATION: SaturationBounds = { event_loop_utilization: 0.9, event_loop_delay_ms: 100 };

const JUDGE_EVERY_MS = 100;

/** A step is judged once its arrivals are all in (after a moment), or at the latest when any request of it must have ended. */
export function localJudgeTiming(task: StressTask): JudgeTiming {
  const timeoutS = Math.max(...task.targets.map((t) => t.timeout));
  return { settleS: 0.1, deadlineS: timeoutS + task.max_lateness + 1 };
}

function watchStress(run: LoadRun, task: StressTask, bounds: SaturationBounds): { state: () => JudgeState; finish: (results: LoadResults, elapsedS: number) => void; stoppedByJudge: () => boolean } {
  const timing = localJudgeTiming(task);
  let state = initialJudge();
  let stopped = false;
  // This process is the only generator: its own event loop says whether the client was saturated.
  const own = watchOwnSaturation(run.startAt, bounds);
  const sampleOwn = () => {
    const { seconds, saturated } = own.sample(Date.now());
    for (const second of seconds) state = judgeStress(task.stress, timing, state, { type: 'saturation', second, saturated }).state;
  };
  const sampler = setInterval(sampleOwn, 1_000);
  const observe = (results: LoadResults, elapsedS: number, final: boolean) => {
    const next = judgeStress(task.stress, timing, state, { type: 'observe', elapsedS, results, final });
    state = next.state;
    for (const effect of next.effects) {
      if (effect.type === 'stop' && !stopped) {
        stopped = true;
        run.stop();
      }
    }
  };
  const timer = setInterval(() => {
    const elapsedS = (Date.now() - run.startAt) / 1000;
    if (elapsedS > 0 && run.state !== 'finished') observe(run.snapshot(), elapsedS, false);
  }, JUDGE_EVERY_MS);
  return {
    state: () => state,
    finish(results, elapsedS) {
      clearInterval(timer);
      clearInterval(sampler);
      sampleOwn();
      own.stop();
      observe(results, elapsedS, true);
    },
    stoppedByJudge: () => stopped,
  };
}

function startLoadTask(task: Extract<PlanTask, { type: 'load_test' | 'performance_test' | 'stress_test' }>, opts: LocalTaskOptions): LocalTask {
  const run = startLoad({ params: task.parameters, startAt: opts.startAt, runId: opts.runId, ...(opts.workers !== undefined ? { workers: opts.workers } : {}) });
  const stress = task.type === 'stress_test' ? watchStress(run, task.parameters, opts.saturation ?? DEFAULT_SATURATION) : undefined;
  const done = run.done.then((outcome): LocalTaskOutcome => {
    const sections: TaskSections = {};
    let status = outcome.status;
    if (stress) {
      stress.finish(outcome.results, (outcome.finishedAt - outcome.startedAt) / 1000);
      sections.stress = stressReport(stress.state());
      if (status === 'stopped' && stress.stoppedByJudge()) status = 'completed'; // the objective broke: the test is done
    }
    return {
      status,
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      startedAt: outcome.startedAt,
      finishedAt: outcome.finishedAt,
      durationS: outcome.durationS,
      results: outcome.results,
      sections,
    };
  });
  return { startAt: run.startAt, done, stop: () => run.stop(), snapshot: () => run.snapshot(), progress: () => run.progress() };
}

// The scanner (and its HTML parser) is loaded only by a plan with a security test: loading it costs
// every other run 10-20 ms of start-up.
function startScanTask(params: SecurityTask, probe: ProbePorts): LocalTask {
  const startedAt = Date.now();
  let stopped = false;
  let stopScan = () => {
    stopped = true;
  };
  const report = import('../../actors/load-generator/security/scan.js').then(({ startScan }) => {
    const scan = startScan(params, probe);
    stopScan = () => scan.stop();
    if (stopped) scan.stop();
    return scan.done;
  });
  const done = report.then(
    (report): LocalTaskOutcome => ({
      status: report.status,
      ...(report.status === 'failed' && report.note ? { error: report.note } : {}),
      startedAt,
      finishedAt: Date.now(),
      durationS: 0,
      results: emptyResults(),
      sections: { security: report },
    }),
    (error: unknown): LocalTaskOutcome => ({ status: 'failed', error: errorMessage(error), startedAt, finishedAt: Date.now(), durationS: 0, results: emptyResults(), sections: {} }),
  );
  return { startAt: startedAt, done, stop: () => stopScan(), snapshot: () => emptyResults(), progress: () => NO_PROGRESS };
}

export function startLocalTask(task: PlanTask, opts: LocalTaskOptions): LocalTask {
  return task.type === 'security_test' ? startScanTask(task.parameters, opts.probe) : startLoadTask(task, opts);
}
