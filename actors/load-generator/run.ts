// One load run: its sending loop runs on load worker threads (each an exact sub-segment of the run's
// segment) or, with workers 0, on this thread. This thread only folds their tallies into one Recorder
// and cuts the run's numbered deltas about once a second, so its event loop stays free for the control
// plane and the sending loops never pause for a delta cut.
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../src/errors.js';
import { systemClock, type Clock } from '../../src/util/clock.js';
import type { LoadTask } from '../../src/plan/index.js';
import { Recorder, thawResults, type FrozenResults, type LoadResults, type ResultsDelta, type RunProgress } from '../../src/stats/index.js';
import { checkSegment, WHOLE, type Segment } from '../../src/execution/segment.js';
import { startEngine, type EngineEnd, type RunState, type RunStatus } from './engine.js';
import { WARM_UP_LEAD_MS } from './warm-up.js';
import { resplit, subSegments, workersFor, workerTask } from './work-split.js';
import { loadWorkerCount, readyLoadWorkers, startPart } from './worker-pool.js';
import type { ToWorker } from './worker-protocol.js';

export type { RunState, RunStatus } from './engine.js';

export interface StartLoadOptions {
  params: LoadTask;
  /** This run's share of the whole, (from, to]; default (0, 1]. */
  segment?: Segment;
  /** Epoch milliseconds of the common start (peers sharing it share the schedule); default: now, after the warm-up. */
  startAt?: number;
  /** Warm the request path up against a local canned server before the start (default true; see warm-up.ts). */
  warmUp?: boolean;
  /** Receives each numbered delta; the last has `final: true`. Throwing here does not harm the run. */
  onDelta?: (delta: ResultsDelta) => void;
  deltaIntervalMs?: number;
  runId?: string;
  /** Wall clock and timers of this thread (default: the system's); a worker thread has its own. */
  clock?: Clock;
  /** Most worker threads to send on (default: loadWorkerCount()); 0 sends on this thread. A run uses fewer when its rate or connections need fewer. */
  workers?: number;
  /** Requests per second a worker takes before the run is split over more (default WORKER_RATE). */
  workerRate?: number;
  /** Send only within the spans grant() gives (an assignment's share lease); default false: always. */
  fenced?: boolean;
}

export interface RunOutcome {
  id: string;
  status: RunStatus;
  error?: string;
  /** Epoch milliseconds. */
  startedAt: number;
  finishedAt: number;
  /** Seconds the rates are per: the plan's duration, or the time until stop() for a stopped run. */
  durationS: number;
  /** Decoded from `frozen` when first read. */
  results: LoadResults;
  /** The results encoded, as a peer keeps them (set by startLoad). */
  frozen?: FrozenResults;
}

/** An outcome whose results are decoded only if someone reads them. */
function outcomeWith(outcome: Omit<RunOutcome, 'results' | 'frozen'>, frozen: FrozenResults): RunOutcome {
  let thawed: LoadResults | undefined;
  return {
    ...outcome,
    frozen,
    get results() {
      return (thawed ??= thawResults(frozen));
    },
  };
}

export interface LoadRun {
  readonly id: string;
  readonly startAt: number;
  readonly state: RunState;
  readonly done: Promise<RunOutcome>;
  /** Worker threads sending this run (0: this thread). */
  readonly workers: number;
  /** Ends the run now: waiting arrivals count as dropped, requests in flight are aborted. */
  stop(): void;
  /** New share for arrivals due from `atMs` (epoch ms; default now). Closed model: the user count changes now. */
  setSegment(from: number, to: number, atMs?: number): void;
  /** A fenced run may send in [from, until) and arrivals due before `sure` are its own (epoch ms; see fence.ts). */
  grant(from: number, until: number, sure: number): void;
  /** A fenced run's share moved to others at `movedAt` (epoch ms): later arrivals are not counted. */
  release(movedAt: number): void;
  /** Results so far, including what the next delta will carry (a worker's last fraction of a second may lag). */
  snapshot(): LoadResults;
  /** Counts so far and latency percentiles of the deltas cut so far, cheaply (for a progress line). */
  progress(): RunProgress;
}

/** How often a worker hands its tallies over: the lag of snapshot() behind the target. */
const FLUSH_MS = 200;

/** One sending loop of the run, here or on a worker. */
interface Part {
  state: RunState;
  readonly done: Promise<EngineEnd>;
  stop(): void;
  setSegment(segment: Segment, atMs?: number): void;
  grant(from: number, until: number, sure: number): void;
  release(movedAt: number): void;
}

export function startLoad(opts: StartLoadOptions): LoadRun {
  const task = opts.params;
  const clock = opts.clock ?? systemClock;
  const id = opts.runId ?? randomUUID();
  const warm = opts.warmUp !== false;
  const startAt = opts.startAt ?? clock.now() + (warm ? WARM_UP_LEAD_MS : 0);
  const segment = opts.segment ? checkSegment(opts.segment.from, opts.segment.to) : WHOLE;
  const deltaEvery = opts.deltaIntervalMs ?? 1000;
  const n = workersFor(task, segment, readyLoadWorkers(opts.workers ?? loadWorkerCount()), opts.workerRate);

  let recorder: Recorder;
  let parts: Part[];
  /** Each part's segment. */
  let subs = n === 0 ? [segment] : subSegments(segment, n);
  if (n === 0) {
    const engine = startEngine({ task, segment, startAt, warmUp: warm, runId: id, clock, fenced: opts.fenced === true });
    recorder = engine.recorder;
    parts = [
      {
        get state() {
          return engine.state;
        },
        done: engine.done,
        stop: () => engine.stop(),
        setSegment: (s, atMs) => engine.setSegment(s, atMs),
        grant: (from, until, sure) => engine.grant(from, until, sure),
        release: (movedAt) => engine.release(movedAt),
      },
    ];
  } else {
    recorder = new Recorder(id, task.targets.length, 0);
    parts = subs.map((sub, i) => workerPart(i, `${id}#${i}`, { type: 'start', key: `${id}#${i}`, task: workerTask(task, n, i), segment: sub, startAt, warmUp: warm, flushMs: FLUSH_MS, fenced: opts.fenced === true }, recorder));
  }

  /**
   * The shares this run applied, each from its `at` (epoch ms), for its final delta (open model): the
   * accounting tells from them a share heard of too late (never sent: dropped) from arrivals lost.
   */
  const shares = task.model === 'open' ? [{ at: startAt, segment }] : undefined;
  let finished = false;
  /** Once finished: what snapshot() and progress() answer (the recorder's arrays went back to the pool). */
  let ended: { outcome: RunOutcome; progress: RunProgress } | undefined;
  let stopped = false;
  let warned = false;
  const emit = (delta: ResultsDelta) => {
    try {
      opts.onDelta?.(delta);
    } catch (err) {
      if (!warned) process.emitWarning(`load run ${id}: onDelta threw: ${errorMessage(err)}`);
      warned = true;
    }
  };
  const stateOf = (): RunState => {
    if (finished) return 'finished';
    if (parts.some((p) => p.state === 'running')) return 'running';
    if (parts.some((p) => p.state === 'waiting')) return 'waiting';
    return 'draining';
  };
  // This timer also keeps the process alive while the run lasts (the sending loop's timers do not).
  const cutter = clock.repeat(() => {
    if (stateOf() !== 'waiting') emit(recorder.takeDelta(false));
  }, deltaEvery);

  // A part that stopped by itself (it found itself frozen) stops the run: its siblings froze too, and
  // the share is no longer this run's. So does one that failed (its worker crashed): the run's share is
  // then left undone, and its final delta says so, so that the share moves (its siblings must not send on
  // beside the generators that take it over).
  for (const part of parts) {
    void part.done.then((end) => {
      if (end.status === 'completed' || stopped) return;
      stopped = true;
      for (const p of parts) p.stop();
    });
  }

  const done = Promise.all(parts.map((p) => p.done)).then((ends): RunOutcome => {
    clock.cancel(cutter);
    finished = true;
    const failed = ends.find((e) => e.status === 'failed');
    const status: RunStatus = failed ? 'failed' : stopped || ends.some((e) => e.status === 'stopped') ? 'stopped' : 'completed';
    let error = failed?.error ?? ends.find((e) => e.error !== undefined)?.error;
    let final = status;
    try {
      const last = recorder.takeDelta(true);
      const held = ends.reduce((n, e) => n + (e.held ?? 0), 0);
      // A run that ended before its schedule says so: its share's remaining arrivals are not its own.
      emit({ ...last, ...(status !== 'completed' ? { stopped: true } : {}), ...(held > 0 ? { held } : {}), ...(shares ? { shares } : {}) });
    } catch (err) {
      final = 'failed';
      error = errorMessage(err);
    }
    const ranS = Math.max(0, ...ends.map((e) => e.ranS));
    const frozen = recorder.frozenResults();
    const progress = recorder.progress();
    recorder.release();
    const outcome = outcomeWith({ id, status: final, ...(error !== undefined ? { error } : {}), startedAt: startAt, finishedAt: clock.now(), durationS: status === 'stopped' ? ranS : task.duration }, frozen);
    ended = { outcome, progress };
    return outcome;
  });

  return {
    id,
    startAt,
    workers: n,
    get state() {
      return stateOf();
    },
    done,
    stop() {
      stopped = true;
      for (const p of parts) p.stop();
    },
    setSegment(from, to, atMs) {
      const next = checkSegment(from, to);
      // Heard after the run ended: its arrivals were never sent, and its final delta's shares say so.
      if (finished) return;
      // As the engine does: a change older than the last applied one is not applied.
      const at = atMs ?? clock.now();
      if (shares && at >= shares[shares.length - 1]!.at) shares.push({ at, segment: next });
      subs = n === 0 ? [next] : resplit(subs, next, n);
      parts.forEach((p, i) => p.setSegment(subs[i]!, atMs));
    },
    grant(from, until, sure) {
      for (const p of parts) p.grant(from, until, sure);
    },
    release(movedAt) {
      for (const p of parts) p.release(movedAt);
    },
    snapshot() {
      return ended ? ended.outcome.results : recorder.results();
    },
    progress() {
      return ended ? ended.progress : recorder.progress();
    },
  };
}

/** Part of a run on load worker `i`, its tallies folded into `recorder` as they come. */
function workerPart(i: number, key: string, start: Extract<ToWorker, { type: 'start' }>, recorder: Recorder): Part {
  const { promise: done, resolve } = Promise.withResolvers<EngineEnd>();
  const part: Part = {
    state: 'waiting',
    done,
    stop: () => send({ type: 'stop', key }),
    setSegment: (segment, atMs) => send({ type: 'segment', key, segment, ...(atMs !== undefined ? { atMs } : {}) }),
    grant: (from, until, sure) => send({ type: 'grant', key, from, until, sure }),
    release: (movedAt) => send({ type: 'release', key, movedAt }),
  };
  const send = startPart(i, start, {
    onMessage(msg) {
      switch (msg.type) {
        case 'state':
          if (part.state !== 'finished') part.state = msg.state;
          break;
        case 'tallies':
          recorder.absorb(msg.raw);
          break;
        case 'done':
          recorder.absorb(msg.raw);
          part.state = 'finished';
          resolve(msg.end);
          break;
      }
    },
    onCrash(error) {
      part.state = 'finished';
      resolve({ status: 'failed', error, ranS: 0 });
    },
  });
  return part;
}
