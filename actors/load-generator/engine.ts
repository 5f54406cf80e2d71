// The sending loop of one run (or of one worker's sub-segment of it), in the thread it is started in:
// the model releases requests, the sender records them into a Recorder, and the loop sleeps until the
// next thing is due (an arrival, a waking user, a deadline, the end) instead of ticking every millisecond.
// Cutting deltas is the caller's business (run.ts in this thread, or the thread a worker reports to).
import { errorMessage } from '../../src/errors.js';
import { SILENT_MS, UNSURE_WAIT_MS } from '../../src/execution/share-lease.js';
import type { Clock, TimerHandle } from '../../src/util/clock.js';
import type { LoadTask } from '../../src/plan/index.js';
import { Recorder } from '../../src/stats/index.js';
import { checkSegment, type Segment } from '../../src/execution/segment.js';
import { ClosedModel } from './closed-model.js';
import { HttpClient } from './http-client.js';
import { OpenModel } from './open-model.js';
import { profileFor } from '../../src/schedule/patterns.js';
import { usersOf, weightTable } from './segment.js';
import { Sender } from './sender.js';
import { Fence } from './fence.js';
import { warmUp, WARM_UP_GAP_MS, WARM_UP_MS, type WarmUp } from './warm-up.js';
import { SEND_AHEAD_MS, WakeSchedule } from './wake.js';

export type RunStatus = 'completed' | 'stopped' | 'failed';
export type RunState = 'waiting' | 'running' | 'draining' | 'finished';

/** Pause between the end of sending and a forced end, on top of the largest timeout. */
const END_SLACK_MS = 1000;
/**
 * A gap this long between two turns of a running loop (which never sleeps over MAX_SLEEP_MS) means the
 * process was frozen (SIGSTOP, a paused VM) for nearly as long as the coordinator waits before it moves a
 * silent generator's share: the share may be gone, so the loop stops instead of sending the backlog in a
 * burst beside the peers that took it over. A shorter gap (a starved CPU) only makes arrivals late.
 */
export const FROZEN_GAP_MS = SILENT_MS - 250;
export { UNSURE_WAIT_MS, SEND_AHEAD_MS };

export interface EngineOptions {
  task: LoadTask;
  segment: Segment;
  /** Epoch milliseconds of the common start. */
  startAt: number;
  /** Warm up in the time left before the start (when at least 50 ms). */
  warmUp: boolean;
  /** Recorder id (deltas are cut elsewhere, under the run's id). */
  runId: string;
  clock: Clock;
  onState?: (state: RunState) => void;
  /** Send only within the spans granted by grant() (a coordinator's share lease); otherwise always. */
  fenced?: boolean;
}

export interface EngineEnd {
  status: RunStatus;
  error?: string;
  /** Seconds from the start to the end, at most the plan's duration. */
  ranS: number;
  /** A fenced run's arrivals held back while paused and never told whose they were (not counted: see Fence.heldBack). */
  held?: number;
}

export interface Engine {
  readonly recorder: Recorder;
  readonly state: RunState;
  readonly done: Promise<EngineEnd>;
  stop(): void;
  /** New share for arrivals due from `atMs` (epoch ms; default now). Closed model: the user count changes now. */
  setSegment(segment: Segment, atMs?: number): void;
  /** A fenced run may send in [from, until), and arrivals due before `sure` are its own (epoch ms): see fence.ts. */
  grant(from: number, until: number, sure: number): void;
  /** A fenced run's share moved to others at `movedAt` (epoch ms). */
  release(movedAt: number): void;
}

export function startEngine(opts: EngineOptions): Engine {
  const { task, clock } = opts;
  // One fixed offset between epoch and performance.now() for the whole run, so that the start and any
  // later segment change are converted alike (two conversions could differ by a millisecond). A time is
  // converted as the start plus its distance from the start, as due times are; a boundary of an open
  // run's share (a segment's `at`, the moment it moved) becomes the due time of the first arrival it
  // leaves to what follows (OpenModel.boundary), so that arrivals split exactly where the coordinator's
  // accounting splits them (ms from the start): the sum rounds, and a due time a hair before a boundary
  // could land on it.
  const offset = clock.now() - performance.now();
  const startMs = opts.startAt - offset;
  const toPerf = (epochMs: number) => startMs + (epochMs - opts.startAt);
  const endMs = startMs + task.duration * 1000;
  const maxTimeoutMs = Math.max(...task.targets.map((t) => t.timeout)) * 1000;
  const open = task.model === 'open';
  const hardEndMs = endMs + (open ? task.max_lateness * 1000 : 0) + Math.max(maxTimeoutMs + END_SLACK_MS, opts.fenced ? UNSURE_WAIT_MS : 0);
  const warmMs = opts.warmUp ? Math.min(WARM_UP_MS, opts.startAt - clock.now() - WARM_UP_GAP_MS) : 0;

  const client = new HttpClient(task.targets, { connections: task.connections, pipelining: task.pipelining });
  const recorder = new Recorder(opts.runId, task.targets.length, startMs);
  const sender = new Sender(client, recorder);
  const weights = weightTable(task.targets.map((t) => t.weight));
  const usersFor = (s: Segment) => {
    const range = usersOf(s, task.concurrent_users);
    return range.end - range.first;
  };
  // A fenced run sends only while it holds its share (fence.ts).
  const fence = opts.fenced ? new Fence() : undefined;
  const model = open
    ? new OpenModel(profileFor(task), sender, recorder, { startMs, maxInFlight: task.max_in_flight, maxLatenessMs: task.max_lateness * 1000, aheadMs: SEND_AHEAD_MS, segment: opts.segment, weights, ...(fence ? { fence } : {}) })
    : new ClosedModel(sender, { endMs, thinkMs: task.think_time * 1000, users: usersFor(opts.segment), weights, wakeBy: (at) => wakeBy(at), ...(fence ? { may: (due: number, now: number) => fence.may(due, now) } : {}) });
  const settle = () => {
    if (model instanceof OpenModel) model.settle();
  };

  const warming: WarmUp | undefined = warmMs >= 50 ? warmUp(task.targets, warmMs, clock) : undefined;
  let state: RunState = 'waiting';
  let timer: TimerHandle | undefined;
  const { promise: done, resolve } = Promise.withResolvers<EngineEnd>();
  const enter = (next: RunState) => {
    if (state === next) return;
    state = next;
    opts.onState?.(next);
  };

  const finish = async (status: RunStatus, error?: string) => {
    if (state === 'finished') return;
    enter('finished');
    if (timer) clock.cancel(timer);
    warming?.cancel();
    const ranS = Math.min(task.duration, Math.max(0, (performance.now() - startMs) / 1000));
    let end: EngineEnd = error === undefined ? { status, ranS } : { status, error, ranS };
    try {
      if (model instanceof OpenModel) {
        // Stopped where its share was released (moved, or the execution ended), the arrivals due before
        // that and not yet released were its own: due, never sent. Without a release a stop does not say
        // when the share stopped being its own: what it could not vouch for stays uncounted (the
        // coordinator counts a moved share's arrivals from the schedule).
        const releasedAt = fence?.movedAt ?? Infinity;
        if (status === 'stopped' && releasedAt < Infinity) model.closeAt(Math.min(performance.now(), releasedAt));
        model.dropBacklog();
        const held = model.heldBack();
        if (held > 0) end = { ...end, held };
      } else model.halt();
      if (sender.inFlight > 0) {
        sender.aborting = true;
        await client.destroy().catch(() => {});
      } else {
        await Promise.race([client.close(), new Promise((r) => clock.schedule(() => r(undefined), 1000))]).catch(() => {});
        await client.destroy().catch(() => {});
      }
    } catch (err) {
      end = { status: 'failed', error: errorMessage(err), ranS };
    }
    await warming?.done;
    resolve(end);
  };

  const tick = (now: number) => {
    if (now < startMs) return;
    if (state === 'waiting') {
      enter('running');
      if (model instanceof ClosedModel) model.start(now);
    }
    model.tick(now);
    sender.expire(now);
    const sendingDone = model instanceof OpenModel ? model.finished : now >= endMs;
    if (sendingDone) enter('draining');
    // Arrivals kept aside while paused: the next verdict (its generator renews past the end) says whose they were.
    const resolved = !fence?.unsure || now >= endMs + UNSURE_WAIT_MS;
    if ((sendingDone && sender.inFlight === 0 && resolved) || now >= hardEndMs) void finish('completed');
  };

  let lastTurn = performance.now();
  const loop = () => {
    timer = undefined;
    const now = performance.now();
    wakes.woke(now);
    const gap = now - lastTurn;
    lastTurn = now;
    if (state === 'running' && gap > FROZEN_GAP_MS) {
      void finish('stopped', `frozen for ${Math.round(gap)} ms: stopped rather than send a stale share`);
      return;
    }
    try {
      tick(now);
    } catch (err) {
      void finish('failed', errorMessage(err));
    }
    if (state !== 'finished') arm();
  };

  // Sleep until the next due thing (wake.ts): a little before the next arrival, which then goes out with the
  // wake-up (sent ahead) rather than late; exactly until anything else.
  const wakes = new WakeSchedule();
  const arm = () => {
    const now = performance.now();
    const delay = state === 'waiting' ? wakes.sleep(now, Infinity, startMs) : wakes.sleep(now, open ? (model as OpenModel).nextDue : Infinity, Math.min(model.nextWake(), sender.nextDeadline, hardEndMs));
    timer = clock.wake(loop, delay);
  };
  // A closed-model user set to wake (after its think time, or a failure) before the loop would.
  const wakeBy = (at: number) => {
    if (timer === undefined || at >= wakes.armedFor - 1) return;
    clock.cancel(timer);
    arm();
  };
  arm();

  return {
    recorder,
    get state() {
      return state;
    },
    done,
    stop() {
      void finish('stopped');
    },
    setSegment(segment, atMs) {
      const next = checkSegment(segment.from, segment.to);
      if (model instanceof OpenModel) model.setSegment(next, atMs === undefined ? undefined : model.boundary(atMs - opts.startAt), performance.now());
      else model.setUsers(usersFor(next), performance.now());
    },
    grant(from, until, sure) {
      fence?.grant(toPerf(from), toPerf(until), toPerf(sure));
      settle();
    },
    release(movedAt) {
      fence?.release(model instanceof OpenModel ? model.boundary(movedAt - opts.startAt) : toPerf(movedAt));
      settle();
    },
  };
}
