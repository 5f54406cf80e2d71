// One load run: a shared timer loop drives the model, cuts a delta about once a second, and ends the run
// by itself once the plan's duration (plus lateness and timeout grace) has passed.
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../src/errors.js';
import { systemClock, type Clock } from '../../src/util/clock.js';
import type { LoadTask } from '../../src/plan/index.js';
import { Recorder, type LoadResults, type ResultsDelta } from '../../src/stats/index.js';
import { ClosedModel } from './closed-model.js';
import { HttpClient } from './http-client.js';
import { OpenModel } from './open-model.js';
import { profileFor } from './patterns.js';
import { checkSegment, WHOLE, type Segment } from '../../src/execution/segment.js';
import { usersOf, weightTable } from './segment.js';
import { Sender } from './sender.js';
import { warmUp, WARM_UP_MS, type WarmUp } from './warm-up.js';

export type RunStatus = 'completed' | 'stopped' | 'failed';
export type RunState = 'waiting' | 'running' | 'draining' | 'finished';

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
  /** Wall clock and timers (default: the system's). */
  clock?: Clock;
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
  results: LoadResults;
}

export interface LoadRun {
  readonly id: string;
  readonly startAt: number;
  readonly state: RunState;
  readonly done: Promise<RunOutcome>;
  /** Ends the run now: waiting arrivals count as dropped, requests in flight are aborted. */
  stop(): void;
  /** New share for arrivals due from `atMs` (epoch ms; default now). Closed model: the user count changes now. */
  setSegment(from: number, to: number, atMs?: number): void;
  /** Results so far, including what the next delta will carry. */
  snapshot(): LoadResults;
}

/** Pause between the end of sending and a forced end, on top of the largest timeout. */
const END_SLACK_MS = 1000;
/** Between the end of the warm-up and the start, for its sockets to close. */
const WARM_UP_GAP_MS = 50;

export function startLoad(opts: StartLoadOptions): LoadRun {
  const task = opts.params;
  const clock = opts.clock ?? systemClock;
  const id = opts.runId ?? randomUUID();
  // Warm up in the time before a given start (skipped when too short), or for WARM_UP_MS before starting.
  const wanted = opts.warmUp === false ? 0 : WARM_UP_MS;
  const warmMs = opts.startAt === undefined ? wanted : Math.min(wanted, opts.startAt - clock.now() - WARM_UP_GAP_MS);
  const startAt = opts.startAt ?? clock.now() + (wanted > 0 ? wanted + WARM_UP_GAP_MS : 0);
  const segment = opts.segment ? checkSegment(opts.segment.from, opts.segment.to) : WHOLE;
  const toPerf = (epochMs: number) => performance.now() + (epochMs - clock.now());
  const startMs = toPerf(startAt);
  const endMs = startMs + task.duration * 1000;
  const maxTimeoutMs = Math.max(...task.targets.map((t) => t.timeout)) * 1000;
  const open = task.model === 'open';
  const hardEndMs = endMs + (open ? task.max_lateness * 1000 : 0) + maxTimeoutMs + END_SLACK_MS;
  const deltaEvery = opts.deltaIntervalMs ?? 1000;

  const client = new HttpClient(task.targets, { connections: task.connections, pipelining: task.pipelining });
  const recorder = new Recorder(id, task.targets.length, startMs);
  const sender = new Sender(client, recorder);
  const weights = weightTable(task.targets.map((t) => t.weight));
  const usersFor = (s: Segment) => {
    const range = usersOf(s, task.concurrent_users);
    return range.end - range.first;
  };
  const model = open
    ? new OpenModel(profileFor(task), sender, recorder, { startMs, maxInFlight: task.max_in_flight, maxLatenessMs: task.max_lateness * 1000, segment, weights })
    : new ClosedModel(sender, { endMs, thinkMs: task.think_time * 1000, users: usersFor(segment), weights });

  const warming: WarmUp | undefined = warmMs >= 50 ? warmUp(task.targets, warmMs, clock) : undefined;
  let state: RunState = 'waiting';
  let nextDeltaMs = startMs + deltaEvery;
  let warned = false;
  const { promise: done, resolve } = Promise.withResolvers<RunOutcome>();

  const emit = (delta: ResultsDelta) => {
    try {
      opts.onDelta?.(delta);
    } catch (err) {
      if (!warned) process.emitWarning(`load run ${id}: onDelta threw: ${errorMessage(err)}`);
      warned = true;
    }
  };

  const finish = async (status: RunStatus, error?: string) => {
    if (state === 'finished') return;
    state = 'finished';
    clock.cancel(timer);
    warming?.cancel();
    const ranS = Math.min(task.duration, Math.max(0, (performance.now() - startMs) / 1000));
    let outcome: { status: RunStatus; error?: string } = error === undefined ? { status } : { status, error };
    try {
      if (model instanceof OpenModel) model.dropBacklog();
      else model.halt();
      if (sender.inFlight > 0) {
        sender.aborting = true;
        await client.destroy().catch(() => {});
      } else {
        await Promise.race([client.close(), new Promise((r) => clock.schedule(() => r(undefined), 1000))]).catch(() => {});
        await client.destroy().catch(() => {});
      }
      emit(recorder.takeDelta(true));
    } catch (err) {
      outcome = { status: 'failed', error: errorMessage(err) };
    }
    await warming?.done;
    resolve({ id, ...outcome, startedAt: startAt, finishedAt: clock.now(), durationS: status === 'stopped' ? ranS : task.duration, results: recorder.results() });
  };

  const tick = () => {
    try {
      const now = performance.now();
      if (now < startMs) return;
      if (state === 'waiting') {
        state = 'running';
        if (model instanceof ClosedModel) model.start(now);
      }
      model.tick(now);
      sender.expire(now);
      if (now >= nextDeltaMs) {
        nextDeltaMs += Math.max(deltaEvery, Math.ceil((now - nextDeltaMs) / deltaEvery) * deltaEvery);
        emit(recorder.takeDelta(false));
      }
      const sendingDone = model instanceof OpenModel ? model.finished : now >= endMs;
      if (sendingDone) state = 'draining';
      if ((sendingDone && sender.inFlight === 0) || now >= hardEndMs) void finish('completed');
    } catch (err) {
      void finish('failed', errorMessage(err));
    }
  };

  // Closed users without think time are driven by completions, so the loop only watches the clock there.
  const period = open || task.think_time > 0 ? 1 : 10;
  const timer = clock.repeat(tick, period);

  return {
    id,
    startAt,
    get state() {
      return state;
    },
    done,
    stop() {
      void finish('stopped');
    },
    setSegment(from, to, atMs) {
      const next = checkSegment(from, to);
      if (model instanceof OpenModel) model.setSegment(next, atMs === undefined ? undefined : toPerf(atMs));
      else model.setUsers(usersFor(next), performance.now());
    },
    snapshot() {
      return recorder.results();
    },
  };
}
