// What the execution lifecycle needs of replication and of the merged results, and what reads need:
// the coordinator's driver and the HTTP routes depend on these, the replication module implements them.
import type { ExecutionDoc } from './contract.js';
import type { ExecutionReport } from '../report/index.js';
import type { LoadResults } from '../stats/index.js';
import type { StoredDelta } from '../store/store.js';

export interface ExecutionReplication {
  /** Push this version to the others; changes of one moment go together. */
  docChanged(doc: ExecutionDoc): void;
  /** Push a newly stored delta to the others. */
  deltaStored(d: StoredDelta): void;
  /** Pull the others' replicas of unfinished executions into the local store (before a takeover). */
  gather(peers: string[]): Promise<void>;
}

export interface ExecutionResults {
  /** Store once and fold into the cached merged results; false when it was already stored. */
  addDelta(d: StoredDelta): boolean;
  /** Merged results per task, kept up to date as deltas arrive. */
  results(doc: ExecutionDoc): LoadResults[];
  report(doc: ExecutionDoc, now: number): ExecutionReport;
}

/** One execution as a read serves it. */
export interface ExecutionView {
  doc: ExecutionDoc;
  report: ExecutionReport;
  /** Requests each node sent, from its runs' deltas. */
  requestsByNode: Record<string, number>;
  /**
   * Differs whenever the doc or the results served change (never repeated within a process): with an ended
   * execution, the same revision means the same view, so a read may serve what it built before.
   */
  revision: number;
}

export interface ExecutionReads {
  /** The newest stored version with its merged report, or undefined when this peer holds none. */
  view(executionId: string, now: number): ExecutionView | undefined;
}
