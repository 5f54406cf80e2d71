// The load-generator actor: owns this peer's load runs (local ones and a coordinator's assignments).
import { randomUUID } from 'node:crypto';
import type { Behaviour } from '../../src/actor/types.js';
import { assertNever } from '../../src/util/assert-never.js';
import { startLoad, type LoadRun, type RunOutcome } from './run.js';
import { loadWorkerCount, prepareLoadWorkers, readyLoadWorkers, retireLoadWorkers } from './worker-pool.js';
import { workersFor } from './work-split.js';
import { deferredRun, type DeferredRun } from './deferred-run.js';
import { WARM_UP_LEAD_MS } from './warm-up.js';
import type { LoadGeneratorMessage, LoadTaskView } from './messages.js';
import type { LoadTask } from '../../src/plan/index.js';
import { percentileMs } from '../../src/stats/histogram.js';
import { freezeResults, frozenResultsBytes, thawResults, withDecoded, type FrozenResults, type LoadResults } from '../../src/stats/index.js';

interface Entry {
  id: string;
  name: string;
  task: LoadTask;
  run: LoadRun;
  startedAt: number;
  segment: { from: number; to: number };
  /** Once finished: the outcome, its results kept frozen (encoded) and thawed when read. */
  ended?: { outcome: Omit<RunOutcome, 'results'>; results: FrozenResults; bytes: number };
  /** Set while the run waits for its load workers to boot. */
  deferred?: DeferredRun;
}

export interface GeneratorState {
  entries: Map<string, Entry>;
}

/**
 * Finished runs kept for GET /load/metrics, the newest, at most this many and this many bytes of frozen
 * results (a few KB for a short run; a long one carries an encoded histogram per second).
 */
const KEEP_FINISHED = 20;
/**
 * No load worker at rest (each is about 20-30 MB while idle, a fifth of an idle peer's memory): a run
 * boots those it needs when it arrives, and they are ended after WORKERS_IDLE_MS without a run. An
 * execution's first run has the time for it: the coordinator gives an execution assigned while none runs
 * a longer lead (START_DELAY_AT_REST_MS, 1.5 s; a boot takes 160-350 ms here). With the usual 0.7 s lead,
 * booting at arrival left about 100 ms, and first runs either waited for a just-booted worker (three
 * peers' first runs 27-40 ms late, the boot taking the cores the start needed) or sent on this thread
 * (3-9 % of its requests missing at 600 req/s on 3 peers).
 * A run waits for its workers at most until its warm-up must begin less BOOT_MARGIN_MS; one without a
 * common start, at most BOOT_WAIT_MS; then it runs on the workers that are up (on this thread if none).
 */
const WORKERS_AT_REST = 0;
const WORKERS_IDLE_MS = 5 * 60_000;
const BOOT_MARGIN_MS = 300;
const BOOT_WAIT_MS = 3_000;
const KEEP_FINISHED_BYTES = 2 * 1024 * 1024;

/** The outcome's results as kept: already encoded by the run (reading `results` would decode them). */
const frozenOf = (o: RunOutcome): FrozenResults => o.frozen ?? freezeResults(o.results);

/** The outcome without its results (picked, not spread: spreading reads the decoding `results` getter). */
function outcomeFields(o: RunOutcome): Omit<RunOutcome, 'results' | 'frozen'> {
  const { id, status, startedAt, finishedAt, durationS } = o;
  return { id, status, ...(o.error !== undefined ? { error: o.error } : {}), startedAt, finishedAt, durationS };
}

/** What is kept of a finished run: its outcome, answering as the run did once finished. */
function endedRun(run: LoadRun, ended: NonNullable<Entry['ended']>): LoadRun {
  const { id, startAt, workers } = run;
  const { totals } = ended.results;
  const [p50Ms, p99Ms] = withDecoded(ended.results.latency, (h) => [percentileMs(h, 50), percentileMs(h, 99)]);
  const progress = { requests: totals.requests, failures: totals.failures, dropped: totals.dropped, p50Ms: p50Ms!, p99Ms: p99Ms! };
  const snapshot = () => thawResults(ended.results);
  return {
    id,
    startAt,
    workers,
    state: 'finished',
    get done() {
      return Promise.resolve({ ...ended.outcome, frozen: ended.results, results: snapshot() });
    },
    stop: () => {},
    setSegment: () => {},
    grant: () => {},
    release: () => {},
    snapshot,
    progress: () => progress,
  };
}

function view(entry: Entry): LoadTaskView {
  const { ended } = entry;
  const base = { task_id: entry.id, name: entry.name, state: entry.run.state, started_at: entry.startedAt, segment: entry.segment, task: entry.task };
  if (!ended) {
    const results = entry.run.snapshot();
    return { ...base, requests: results.totals.requests, results };
  }
  // Thawed only when read: listing finished runs decodes no histogram.
  let thawed: LoadResults | undefined;
  return {
    ...base,
    status: ended.outcome.status,
    outcome: ended.outcome,
    requests: ended.results.totals.requests,
    get results() {
      return (thawed ??= thawResults(ended.results));
    },
  };
}

/** Finished runs beyond the bounds leave memory, the oldest first (entries are in the order runs started). */
function forgetOldest(entries: Map<string, Entry>): void {
  const finished = [...entries.values()].filter((e) => e.ended);
  let bytes = finished.reduce((sum, e) => sum + e.ended!.bytes, 0);
  for (let i = 0; i < finished.length - 1 && (finished.length - i > KEEP_FINISHED || bytes > KEEP_FINISHED_BYTES); i++) {
    bytes -= finished[i]!.ended!.bytes;
    entries.delete(finished[i]!.id);
  }
}

/** Finished runs held now and their frozen results' bytes (what the bounds limit). */
export function finishedHeld(state: GeneratorState): { runs: number; bytes: number } {
  const finished = [...state.entries.values()].filter((e) => e.ended);
  return { runs: finished.length, bytes: finished.reduce((sum, e) => sum + e.ended!.bytes, 0) };
}

export function loadGenerator(): Behaviour<LoadGeneratorMessage, GeneratorState> {
  return {
    role: 'load-generator',
    init: () => ({ entries: new Map() }),

    receive(state, msg, ctx) {
      switch (msg.type) {
        case 'load.start': {
          const { request } = msg;
          const id = request.taskId ?? randomUUID();
          if (state.entries.has(id)) {
            msg.reply(id); // an assignment delivered twice starts once
            break;
          }
          const segment = request.segment ?? { from: 0, to: 1 };
          const start = () =>
            startLoad({
              params: request.task,
              runId: id,
              segment,
              ...(request.startAt !== undefined ? { startAt: request.startAt } : {}),
              ...(request.onDelta ? { onDelta: request.onDelta } : {}),
              ...(request.fenced ? { fenced: true } : {}),
            });
          ctx.cancelTimer('workers.retire');
          const now = ctx.clock.now();
          const wanted = workersFor(request.task, segment, loadWorkerCount());
          let run: LoadRun;
          let deferred: DeferredRun | undefined;
          if (wanted > 0 && readyLoadWorkers(wanted) < wanted) {
            // Its workers boot now; it begins when they are up, or when its start cannot wait longer.
            const begin = () => ctx.self.tell({ type: 'load.begin', taskId: id });
            void prepareLoadWorkers(wanted).then(begin, begin);
            const waitMs = request.startAt !== undefined ? request.startAt - now - WARM_UP_LEAD_MS - BOOT_MARGIN_MS : BOOT_WAIT_MS;
            ctx.startTimer(`begin:${id}`, Math.max(0, waitMs), { type: 'load.begin', taskId: id });
            run = deferred = deferredRun(id, request.startAt ?? now, start);
          } else run = start();
          state.entries.set(id, { id, name: request.name, task: request.task, run, startedAt: run.startAt, segment, ...(deferred ? { deferred } : {}) });
          run.done.then(
            (outcome) => {
              ctx.self.tell({ type: 'load.finished', taskId: id, outcome });
              request.onDone?.(outcome);
            },
            (error: unknown) => ctx.log.error('load run failed', { task: id, error }),
          );
          ctx.log.info('load started', { task: id, name: request.name, segment: `${segment.from}..${segment.to}` });
          msg.reply(id);
          break;
        }
        case 'load.stop': {
          const entry = state.entries.get(msg.taskId);
          entry?.run.stop();
          msg.reply(entry !== undefined);
          break;
        }
        case 'load.grant':
          state.entries.get(msg.taskId)?.run.grant(msg.from, msg.until, msg.sure);
          break;
        case 'load.release':
          state.entries.get(msg.taskId)?.run.release(msg.movedAt);
          break;
        case 'load.resegment': {
          const entry = state.entries.get(msg.taskId);
          if (entry && !entry.ended) {
            entry.run.setSegment(msg.from, msg.to, msg.atMs);
            entry.segment = { from: msg.from, to: msg.to };
          }
          msg.reply(entry !== undefined);
          break;
        }
        case 'load.get': {
          const entry = state.entries.get(msg.taskId);
          msg.reply(entry ? view(entry) : undefined);
          break;
        }
        case 'load.list':
          msg.reply([...state.entries.values()].map(view));
          break;
        case 'load.active':
          msg.reply([...state.entries.values()].filter((e) => e.run.state !== 'finished').length);
          break;
        case 'load.begin': {
          const entry = state.entries.get(msg.taskId);
          ctx.cancelTimer(`begin:${msg.taskId}`);
          if (!entry?.deferred) break;
          entry.deferred.begin();
          entry.startedAt = entry.run.startAt;
          ctx.log.debug('load run begun', { task: msg.taskId, workers: entry.run.workers, late_ms: Math.max(0, ctx.clock.now() - entry.startedAt) });
          delete entry.deferred;
          break;
        }
        case 'workers.retire':
          if ([...state.entries.values()].every((e) => e.run.state === 'finished')) void retireLoadWorkers(WORKERS_AT_REST);
          break;
        case 'load.finished': {
          const entry = state.entries.get(msg.taskId);
          const frozen = frozenOf(msg.outcome);
          if (entry) {
            entry.ended = { outcome: outcomeFields(msg.outcome), results: frozen, bytes: frozenResultsBytes(frozen) };
            // The run's closure holds its client, recorder and buffers (MBs): keep only what it produced.
            entry.run = endedRun(entry.run, entry.ended);
          }
          ctx.log.info('load finished', { task: msg.taskId, status: msg.outcome.status, requests: frozen.totals.requests });
          forgetOldest(state.entries);
          if ([...state.entries.values()].every((e) => e.ended)) ctx.startTimer('workers.retire', WORKERS_IDLE_MS, { type: 'workers.retire' });
          break;
        }
        default:
          assertNever(msg);
      }
      return state;
    },

    stop(state) {
      for (const entry of state.entries.values()) entry.run.stop();
    },
  };
}
