// Messages of the load-generator actor.
import type { LoadTask } from '../../src/plan/index.js';
import type { LoadResults, ResultsDelta } from '../../src/stats/index.js';
import type { RunOutcome, RunState } from './run.js';

export interface LoadStartRequest {
  task: LoadTask;
  name: string;
  /** Chosen by the caller (an execution's assignment), or generated. */
  taskId?: string;
  segment?: { from: number; to: number };
  /** Common start, epoch ms. */
  startAt?: number;
  onDelta?: (delta: ResultsDelta) => void;
  onDone?: (outcome: RunOutcome) => void;
  /** Send only within the spans granted by `load.grant` (an assignment's share lease). */
  fenced?: boolean;
}

export interface LoadTaskView {
  task_id: string;
  name: string;
  state: RunState;
  status?: RunOutcome['status'];
  started_at: number;
  segment: { from: number; to: number };
  task: LoadTask;
  /** Requests sent so far (cheap: reading `results` of a finished run decodes its histograms). */
  requests: number;
  results: LoadResults;
  /** Set once the run has ended (its results are `results`). */
  outcome?: Omit<RunOutcome, 'results'>;
}

export type LoadGeneratorMessage =
  | { type: 'load.start'; request: LoadStartRequest; reply: (taskId: string) => void }
  | { type: 'load.stop'; taskId: string; reply: (found: boolean) => void }
  /** A fenced run may send in [from, until), and arrivals due before `sure` are its own, epoch ms (its share lease, src/execution/share-lease.ts). */
  | { type: 'load.grant'; taskId: string; from: number; until: number; sure: number }
  /** A fenced run's share moved to others at `movedAt` (epoch ms). */
  | { type: 'load.release'; taskId: string; movedAt: number }
  | { type: 'load.resegment'; taskId: string; from: number; to: number; atMs: number; reply: (found: boolean) => void }
  | { type: 'load.get'; taskId: string; reply: (view: LoadTaskView | undefined) => void }
  | { type: 'load.list'; reply: (views: LoadTaskView[]) => void }
  /** How many runs are not finished: cheap (no results built), asked every second by the node monitor. */
  | { type: 'load.active'; reply: (count: number) => void }
  | { type: 'load.finished'; taskId: string; outcome: RunOutcome };
