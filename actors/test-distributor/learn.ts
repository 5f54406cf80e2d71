// What `adaptive` learns after each run: a node's achieved throughput, how well it kept up with the
// rate it was asked for, and whether it was saturated. Exponential averages, so it follows change.
import type { History, NodeRecord } from '../../src/distribution.js';

export interface RunObservation {
  node_id: string;
  /** Requests per second this node achieved in its share. */
  throughput_rps: number;
  /** Requests per second its share asked for (0: closed model, unknown). */
  asked_rps: number;
  saturated: boolean;
}

export const LEARNING_RATE = 0.5;

const ewma = (old: number | undefined, value: number) => (old === undefined ? value : old + LEARNING_RATE * (value - old));

export function learn(history: History, observations: readonly RunObservation[]): History {
  const next: Record<string, NodeRecord> = { ...history };
  for (const o of observations) {
    const old = history[o.node_id];
    const keptUp = o.asked_rps > 0 ? Math.min(1, o.throughput_rps / o.asked_rps) : 1;
    next[o.node_id] = {
      runs: (old?.runs ?? 0) + 1,
      saturated_runs: (old?.saturated_runs ?? 0) + (o.saturated ? 1 : 0),
      throughput_rps: ewma(old?.throughput_rps, o.throughput_rps),
      kept_up: ewma(old?.kept_up, keptUp),
    };
  }
  return next;
}

export interface FinishedShare {
  node_id: string;
  requests: number;
  saturated: boolean;
}

/** What one finished execution teaches: each share's achieved rate against its slice of the asked rate. */
export function observe(durationS: number, askedRps: number, shares: readonly FinishedShare[]): RunObservation[] {
  if (!(durationS > 0) || shares.length === 0) return [];
  return shares.map((s) => ({ node_id: s.node_id, throughput_rps: s.requests / durationS, asked_rps: askedRps / shares.length, saturated: s.saturated }));
}
