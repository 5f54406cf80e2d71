// Messages between a run and the worker threads that send its load (structured clone inside one
// process, never the wire). A worker may carry parts of several runs; `key` names one part.
import type { LoadTask } from '../../src/plan/index.js';
import type { Segment } from '../../src/execution/segment.js';
import type { RawTallies } from '../../src/stats/index.js';
import type { EngineEnd, RunState } from './engine.js';

export type ToWorker =
  | { type: 'start'; key: string; task: LoadTask; segment: Segment; startAt: number; warmUp: boolean; flushMs: number; fenced: boolean }
  | { type: 'stop'; key: string }
  | { type: 'segment'; key: string; segment: Segment; atMs?: number }
  /** A fenced part may send in [from, until); arrivals due before `sure` are its own (epoch ms). */
  | { type: 'grant'; key: string; from: number; until: number; sure: number }
  /** A fenced part's share moved to others at `movedAt` (epoch ms). */
  | { type: 'release'; key: string; movedAt: number };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'state'; key: string; state: RunState }
  | { type: 'tallies'; key: string; raw: RawTallies }
  /** The part ended; `raw` holds its last tallies. */
  | { type: 'done'; key: string; end: EngineEnd; raw: RawTallies };
