// Results as mergeable data: a run emits numbered deltas (JSON, encoded HDR); anyone folds them with
// mergeDelta. Merging is exact (counts added, histograms added), idempotent per (run_id, seq) and order-free.
import { addEncodedHistograms, plusEncoded } from './encoded.js';
import { createHistogram, type Histogram } from './histogram.js';
import type { Counters, ResultsDelta, TargetDelta } from './delta.js';

export interface TargetResults {
  counters: Counters;
  latency: Histogram;
  service: Histogram;
}

export interface SecondResults {
  requests: number;
  errors: number;
  dropped: number;
  latency: string;
}

export interface SourceProgress {
  /** Every seq up to this one has been merged. */
  upTo: number;
  /** Seqs merged out of order, above upTo. */
  extra: number[];
  final: boolean;
  /** This run's own counts so far (merged results only), for the accounting of lost shares. */
  tally?: RunTally;
}

export interface RunTally {
  requests: number;
  dropped: number;
  scheduled: number;
  /** Arrivals held back while paused and never told whose they were (a final delta's `held`). */
  held?: number;
  /** The shares the run applied (a final delta's `shares`). */
  shares?: ResultsDelta['shares'];
}

/** The fold of deltas. Treat as immutable: mergeDelta never changes its input. */
export interface LoadResults {
  sources: Record<string, SourceProgress>;
  totals: Counters;
  latency: Histogram;
  service: Histogram;
  /** Sender lateness (actual − intended send); absent in results from peers that do not measure it. */
  lateness?: Histogram;
  targets: Record<number, TargetResults>;
  seconds: Record<number, SecondResults>;
}

export function emptyCounters(): Counters {
  return { requests: 0, successes: 0, failures: 0, dropped: 0, scheduled: 0, bytes_in: 0, bytes_out: 0, status: {}, errors: {} };
}

export function emptyResults(): LoadResults {
  return { sources: {}, totals: emptyCounters(), latency: createHistogram(64), service: createHistogram(64), lateness: createHistogram(64), targets: {}, seconds: {} };
}

function addRecords<K extends string>(a: Partial<Record<K, number>>, b: Partial<Record<K, number>>): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = { ...a };
  for (const key of Object.keys(b) as K[]) out[key] = (out[key] ?? 0) + (b[key] ?? 0);
  return out;
}

export function addCounters(a: Counters, b: Counters): Counters {
  return {
    requests: a.requests + b.requests,
    successes: a.successes + b.successes,
    failures: a.failures + b.failures,
    dropped: a.dropped + b.dropped,
    scheduled: (a.scheduled ?? 0) + (b.scheduled ?? 0),
    bytes_in: a.bytes_in + b.bytes_in,
    bytes_out: a.bytes_out + b.bytes_out,
    status: addRecords(a.status, b.status) as Record<string, number>,
    errors: addRecords(a.errors, b.errors),
  };
}

export function alreadyMerged(progress: SourceProgress | undefined, seq: number): boolean {
  return progress !== undefined && (seq <= progress.upTo || progress.extra.includes(seq));
}

export function advance(progress: SourceProgress | undefined, seq: number, final: boolean): SourceProgress {
  let upTo = progress?.upTo ?? 0;
  let extra = [...(progress?.extra ?? []), seq];
  while (extra.includes(upTo + 1)) {
    upTo++;
    extra = extra.filter((s) => s !== upTo);
  }
  return { upTo, extra, final: (progress?.final ?? false) || final };
}

function mergeTarget(acc: TargetResults | undefined, delta: TargetDelta): TargetResults {
  return {
    counters: addCounters(acc?.counters ?? emptyCounters(), delta.counters),
    latency: delta.latency === '' && acc ? acc.latency : plusEncoded(acc?.latency, delta.latency),
    service: delta.service === '' && acc ? acc.service : plusEncoded(acc?.service, delta.service),
  };
}

/** A run's tally with one more of its deltas. */
export function addTally(a: RunTally | undefined, delta: Pick<ResultsDelta, 'totals' | 'held' | 'shares'>): RunTally {
  const c = delta.totals;
  const sum: RunTally = { requests: (a?.requests ?? 0) + c.requests, dropped: (a?.dropped ?? 0) + c.dropped, scheduled: (a?.scheduled ?? 0) + (c.scheduled ?? 0) };
  const held = (a?.held ?? 0) + (delta.held ?? 0);
  const shares = delta.shares ?? a?.shares;
  return { ...sum, ...(held > 0 ? { held } : {}), ...(shares ? { shares } : {}) };
}

function latenessOf(acc: Histogram | undefined, encoded: string | undefined): { lateness?: Histogram } {
  if (encoded === undefined || encoded === '') return acc ? { lateness: acc } : {};
  return { lateness: plusEncoded(acc, encoded) };
}

/** acc + delta, as a new value. A delta already merged (same run_id and seq) changes nothing. */
export function mergeDelta(acc: LoadResults, delta: ResultsDelta): LoadResults {
  const progress = acc.sources[delta.run_id];
  if (alreadyMerged(progress, delta.seq)) return acc;
  const targets = { ...acc.targets };
  for (const t of delta.targets) targets[t.index] = mergeTarget(acc.targets[t.index], t);
  const seconds = { ...acc.seconds };
  for (const s of delta.seconds) {
    const old = seconds[s.t];
    seconds[s.t] = old
      ? { requests: old.requests + s.requests, errors: old.errors + s.errors, dropped: old.dropped + s.dropped, latency: addEncodedHistograms(old.latency, s.latency) }
      : { requests: s.requests, errors: s.errors, dropped: s.dropped, latency: s.latency };
  }
  return {
    sources: { ...acc.sources, [delta.run_id]: { ...advance(progress, delta.seq, delta.final), tally: addTally(progress?.tally, delta) } },
    totals: addCounters(acc.totals, delta.totals),
    latency: delta.latency === '' ? acc.latency : plusEncoded(acc.latency, delta.latency),
    service: delta.service === '' ? acc.service : plusEncoded(acc.service, delta.service),
    ...latenessOf(acc.lateness, delta.lateness),
    targets,
    seconds,
  };
}

/** Folds many deltas, in any order. */
export function mergeDeltas(deltas: Iterable<ResultsDelta>, acc: LoadResults = emptyResults()): LoadResults {
  let out = acc;
  for (const delta of deltas) out = mergeDelta(out, delta);
  return out;
}
