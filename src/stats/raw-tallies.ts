// A recorder's counts as plain data, for a worker thread to hand its tallies to the thread that cuts the
// run's deltas (structured clone, never the wire: deltas are what cross the wire).
import type { RawCounts } from './bucket-counts.js';

export interface RawTarget {
  index: number;
  requests: number;
  successes: number;
  failures: number;
  dropped: number;
  /** Arrivals this part owned that became due (absent from older workers). */
  scheduled?: number;
  bytesIn: number;
  bytesOut: number;
  /** Pairs: status code, count. */
  status: number[];
  /** Counts by ERROR_KINDS index. */
  errors: number[];
  latency: RawCounts | null;
  service: RawCounts | null;
}

export interface RawSecond {
  t: number;
  requests: number;
  errors: number;
  dropped: number;
  latency: RawCounts | null;
}

export interface RawTallies {
  targets: RawTarget[];
  seconds: RawSecond[];
  lateness: RawCounts | null;
}
