// Many deltas merged at once (a cold read, a replica loading an execution): the same results as folding
// them one by one with mergeDelta, bit for bit, without a new 64-bit histogram per delta and field (each
// about 150 KB) nor a decode and encode per delta and second. Histograms are summed in one accumulator
// each; a second's histogram is encoded once, from all its parts.
import { addEncoded, sumEncoded } from './encoded.js';
import { createHistogram, type Histogram } from './histogram.js';
import type { Counters, ResultsDelta } from './delta.js';
import { addCounters, addTally, advance, alreadyMerged, emptyCounters, type LoadResults, type SourceProgress } from './results.js';

interface SecondParts {
  requests: number;
  errors: number;
  dropped: number;
  /** Non-empty encoded histograms, in order. */
  parts: string[];
}

/** Equal to `mergeDeltas(deltas)` from empty results (duplicates of a run and seq counted once). */
export function mergeAll(deltas: Iterable<ResultsDelta>): LoadResults {
  const sources: Record<string, SourceProgress> = {};
  let totals = emptyCounters();
  const latency = createHistogram(64);
  const service = createHistogram(64);
  const lateness = createHistogram(64);
  const targets = new Map<number, { counters: Counters; latency: Histogram; service: Histogram }>();
  const seconds = new Map<number, SecondParts>();
  for (const delta of deltas) {
    const progress = sources[delta.run_id];
    if (alreadyMerged(progress, delta.seq)) continue;
    sources[delta.run_id] = { ...advance(progress, delta.seq, delta.final), tally: addTally(progress?.tally, delta) };
    totals = addCounters(totals, delta.totals);
    addEncoded(latency, delta.latency);
    addEncoded(service, delta.service);
    addEncoded(lateness, delta.lateness);
    for (const t of delta.targets) {
      let target = targets.get(t.index);
      if (!target) targets.set(t.index, (target = { counters: emptyCounters(), latency: createHistogram(64), service: createHistogram(64) }));
      target.counters = addCounters(target.counters, t.counters);
      addEncoded(target.latency, t.latency);
      addEncoded(target.service, t.service);
    }
    for (const s of delta.seconds) {
      let second = seconds.get(s.t);
      if (!second) seconds.set(s.t, (second = { requests: 0, errors: 0, dropped: 0, parts: [] }));
      second.requests += s.requests;
      second.errors += s.errors;
      second.dropped += s.dropped;
      if (s.latency !== '') second.parts.push(s.latency);
    }
  }
  const out: LoadResults = { sources, totals, latency, service, lateness, targets: {}, seconds: {} };
  for (const [index, t] of targets) out.targets[index] = t;
  // As mergeDelta's chain of addEncodedHistograms leaves it: one part as it came, several summed and encoded.
  for (const [t, s] of seconds) out.seconds[t] = { requests: s.requests, errors: s.errors, dropped: s.dropped, latency: sumEncoded(s.parts) };
  return out;
}
