// The load-generator actor: owns this peer's load runs (local ones and a coordinator's assignments).
import { randomUUID } from 'node:crypto';
import type { Behaviour } from '../../src/actor/types.js';
import { assertNever } from '../../src/util/assert-never.js';
import { startLoad, type LoadRun, type RunOutcome } from './run.js';
import { loadWorkerCount, prepareLoadWorkers } from './worker-pool.js';
import type { LoadGeneratorMessage, LoadTaskView } from './messages.js';
import type { LoadTask } from '../../src/plan/index.js';
import { percentileMs } from '../../src/stats/histogram.js';

interface Entry {
  id: string;
  name: string;
  task: LoadTask;
  run: LoadRun;
  startedAt: number;
  segment: { from: number; to: number };
  outcome?: RunOutcome;
}

interface GeneratorState {
  entries: Map<string, Entry>;
}

/** Finished runs kept for GET /load/metrics (about 1 MB each: their results hold full histograms). */
const KEEP_FINISHED = 20;

/** What is kept of a finished run: its outcome, answering as the run did once finished. */
function endedRun(run: LoadRun, outcome: RunOutcome): LoadRun {
  const { id, startAt, workers } = run;
  const { totals } = outcome.results;
  const progress = { requests: totals.requests, failures: totals.failures, dropped: totals.dropped, p50Ms: percentileMs(outcome.results.latency, 50), p99Ms: percentileMs(outcome.results.latency, 99) };
  return { id, startAt, workers, state: 'finished', done: Promise.resolve(outcome), stop: () => {}, setSegment: () => {}, grant: () => {}, release: () => {}, snapshot: () => outcome.results, progress: () => progress };
}

function view(entry: Entry): LoadTaskView {
  return {
    task_id: entry.id,
    name: entry.name,
    state: entry.run.state,
    ...(entry.outcome ? { status: entry.outcome.status, outcome: entry.outcome } : {}),
    started_at: entry.startedAt,
    segment: entry.segment,
    task: entry.task,
    results: entry.outcome?.results ?? entry.run.snapshot(),
  };
}

export function loadGenerator(): Behaviour<LoadGeneratorMessage, GeneratorState> {
  return {
    role: 'load-generator',
    init: () => {
      // Booted ahead of the first assignment, so that its runs do not send on the control plane's thread.
      void prepareLoadWorkers(loadWorkerCount()).catch(() => {});
      return { entries: new Map() };
    },

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
          const run = startLoad({
            params: request.task,
            runId: id,
            segment,
            ...(request.startAt !== undefined ? { startAt: request.startAt } : {}),
            ...(request.onDelta ? { onDelta: request.onDelta } : {}),
            ...(request.fenced ? { fenced: true } : {}),
          });
          state.entries.set(id, { id, name: request.name, task: request.task, run, startedAt: run.startAt, segment });
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
          if (entry && !entry.outcome) {
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
        case 'load.finished': {
          const entry = state.entries.get(msg.taskId);
          if (entry) {
            entry.outcome = msg.outcome;
            // The run's closure holds its client, recorder and buffers (MBs): keep only what it produced.
            entry.run = endedRun(entry.run, msg.outcome);
          }
          ctx.log.info('load finished', { task: msg.taskId, status: msg.outcome.status, requests: msg.outcome.results.totals.requests });
          const finished = [...state.entries.values()].filter((e) => e.outcome);
          for (const old of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) state.entries.delete(old.id);
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
