// Results kept after their run or execution ended, in the form they travel in: histograms encoded. A
// decoded 64-bit HDR histogram over 1 µs–120 s holds a counts array of about 150 KB whatever it counts,
// so merged results with a few targets take about 1 MB decoded and a few KB frozen. Thawing is exact.
import { decodeHistogram } from './encoded.js';
import { encodeHistogram, type Histogram } from './histogram.js';
import type { Counters } from './delta.js';
import type { LoadResults, SecondResults, SourceProgress } from './results.js';

export interface FrozenResults {
  sources: Record<string, SourceProgress>;
  totals: Counters;
  latency: string;
  service: string;
  lateness?: string;
  targets: Record<number, { counters: Counters; latency: string; service: string }>;
  seconds: Record<number, SecondResults>;
}

export function freezeResults(r: LoadResults): FrozenResults {
  const targets: FrozenResults['targets'] = {};
  for (const [i, t] of Object.entries(r.targets)) targets[Number(i)] = { counters: t.counters, latency: encodeHistogram(t.latency), service: encodeHistogram(t.service) };
  return {
    sources: r.sources,
    totals: r.totals,
    latency: encodeHistogram(r.latency),
    service: encodeHistogram(r.service),
    ...(r.lateness ? { lateness: encodeHistogram(r.lateness) } : {}),
    targets,
    seconds: r.seconds,
  };
}

export function thawResults(f: FrozenResults): LoadResults {
  const targets: LoadResults['targets'] = {};
  for (const [i, t] of Object.entries(f.targets)) targets[Number(i)] = { counters: t.counters, latency: decodeHistogram(t.latency), service: decodeHistogram(t.service) };
  return {
    sources: f.sources,
    totals: f.totals,
    latency: decodeHistogram(f.latency),
    service: decodeHistogram(f.service),
    ...(f.lateness !== undefined ? { lateness: decodeHistogram(f.lateness) } : {}),
    targets,
    seconds: f.seconds,
  };
}

/** What a histogram's arrays take (its own estimate), plus a little for the object around them. */
const histogramBytes = (h: Histogram | undefined) => (h ? h.estimatedFootprintInBytes + 512 : 0);

/** The seconds' encoded histograms and counts (UTF-16 strings: two bytes a character), plus objects. */
function secondsBytes(seconds: Record<number, SecondResults>): number {
  let bytes = 0;
  for (const s of Object.values(seconds)) bytes += 2 * s.latency.length + 96;
  return bytes;
}

/** A close estimate of the memory merged results hold: what byte-bounded caches count. */
export function resultsBytes(r: LoadResults): number {
  let bytes = histogramBytes(r.latency) + histogramBytes(r.service) + histogramBytes(r.lateness) + secondsBytes(r.seconds) + 1024;
  for (const t of Object.values(r.targets)) bytes += histogramBytes(t.latency) + histogramBytes(t.service) + 256;
  return bytes + 256 * Object.keys(r.sources).length;
}

export function frozenResultsBytes(f: FrozenResults): number {
  let bytes = 2 * (f.latency.length + f.service.length + (f.lateness?.length ?? 0)) + secondsBytes(f.seconds) + 1024;
  for (const t of Object.values(f.targets)) bytes += 2 * (t.latency.length + t.service.length) + 256;
  return bytes + 256 * Object.keys(f.sources).length;
}
