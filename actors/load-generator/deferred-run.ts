// A run whose sending begins a moment after it was asked for: the peer boots its load worker threads on
// its first run, not at start-up (they are about 30 MB each, most of an idle peer's memory), and a run
// that arrives while they boot waits for them, as long as its start allows. Until it begins, it answers
// as a run waiting for its start; a stop, a share change or a lease's grant asked meanwhile is applied,
// in order, when it begins.
import { emptyResults, type RunProgress } from '../../src/stats/index.js';
import { checkSegment } from '../../src/execution/segment.js';
import type { LoadRun, RunOutcome } from './run.js';

export interface DeferredRun extends LoadRun {
  /** Starts the run now (with whatever workers are ready); later calls do nothing. */
  begin(): void;
  readonly begun: boolean;
}

type Pending =
  | { type: 'stop' }
  | { type: 'segment'; from: number; to: number; atMs: number | undefined }
  | { type: 'grant'; from: number; until: number; sure: number }
  | { type: 'release'; movedAt: number };

/** `startAt`: the run's start as known before it begins (a run without a common start sets its own when it begins). */
export function deferredRun(id: string, startAt: number, start: () => LoadRun): DeferredRun {
  let inner: LoadRun | undefined;
  const pending: Pending[] = [];
  const { promise: done, resolve, reject } = Promise.withResolvers<RunOutcome>();
  const nothingYet: RunProgress = { requests: 0, failures: 0, dropped: 0, p50Ms: 0, p99Ms: 0 };
  return {
    id,
    get startAt() {
      return inner?.startAt ?? startAt;
    },
    get workers() {
      return inner?.workers ?? 0;
    },
    get state() {
      return inner?.state ?? 'waiting';
    },
    get begun() {
      return inner !== undefined;
    },
    done,
    begin() {
      if (inner) return;
      try {
        inner = start();
      } catch (error) {
        reject(error);
        return;
      }
      inner.done.then(resolve, reject);
      for (const p of pending.splice(0)) {
        if (p.type === 'stop') inner.stop();
        else if (p.type === 'segment') inner.setSegment(p.from, p.to, p.atMs);
        else if (p.type === 'grant') inner.grant(p.from, p.until, p.sure);
        else inner.release(p.movedAt);
      }
    },
    stop() {
      if (inner) inner.stop();
      else pending.push({ type: 'stop' });
    },
    setSegment(from, to, atMs) {
      if (inner) return inner.setSegment(from, to, atMs);
      checkSegment(from, to); // refused now, as a running run would
      pending.push({ type: 'segment', from, to, atMs });
    },
    grant(from, until, sure) {
      if (inner) inner.grant(from, until, sure);
      else pending.push({ type: 'grant', from, until, sure });
    },
    release(movedAt) {
      if (inner) inner.release(movedAt);
      else pending.push({ type: 'release', movedAt });
    },
    snapshot() {
      return inner ? inner.snapshot() : emptyResults();
    },
    progress() {
      return inner ? inner.progress() : nothingYet;
    },
  };
}
