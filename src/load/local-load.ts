// What the status port's /load routes need of this peer's load generator. The routes depend on this
// contract; the composition root hands over an implementation backed by the load-generator role, so no
// surface reaches into a role.
import type { LoadTask } from '../plan/index.js';
import type { LoadResults } from '../stats/index.js';

/** One load task on this peer, as the routes read it. */
export interface LocalLoadView {
  task_id: string;
  name: string;
  /** waiting, running, draining or finished. */
  state: string;
  /** Epoch ms. */
  started_at: number;
  segment: { from: number; to: number };
  task: LoadTask;
  /** Requests sent so far (cheap: `results` may be decoded when read). */
  requests: number;
  results: LoadResults;
  /** Set once the task has ended. */
  outcome?: { status: string; finishedAt: number; durationS: number };
}

export interface LocalLoad {
  /** Starts the task now; resolves with its id. */
  start(task: LoadTask, name: string): Promise<string>;
  /** False when no such task is held. */
  stop(taskId: string): Promise<boolean>;
  get(taskId: string): Promise<LocalLoadView | undefined>;
  list(): Promise<LocalLoadView[]>;
}
