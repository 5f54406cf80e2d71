// Human-facing figures computed from merged results: totals, rates, latency percentiles, a per-second series.
import { withDecoded } from './encoded.js';
import { withHistogram } from './pool.js';
import { latencyFigures, percentileMs, type Histogram, type LatencyFigures } from './histogram.js';
import type { Counters, ErrorKind } from './delta.js';
import { emptyCounters, type LoadResults, type SecondResults } from './results.js';

export interface Summary {
  total_requests: number;
  successful_requests: number;
  failed_requests: number;
  dropped_requests: number;
  /** Arrivals due (closed model: requests started): sent + dropped + unaccounted. */
  scheduled_requests: number;
  /** Scheduled on a generator that died, froze or refused, and never reported. */
  unaccounted_requests: number;
  /** At most this many of the unaccounted requests reached the target. */
  unaccounted_max: number;
  requests_per_second: number;
  bytes_received: number;
  bytes_sent: number;
  /** failed / total (dropped arrivals are not requests; see dropped_requests). */
  error_rate: number;
  latency_ms: LatencyFigures;
  service_time_ms: LatencyFigures;
  /** How late the client's own sending loop was (actual − intended send); absent when not measured. */
  send_lateness_ms?: LatenessFigures;
  status_codes: Record<string, number>;
  errors: Partial<Record<ErrorKind, number>>;
}

export interface LatenessFigures {
  p50: number;
  p99: number;
  max: number;
}

export interface TimeseriesPoint {
  /** Seconds since the start (bins by intended start time). */
  t: number;
  requests: number;
  errors: number;
  dropped: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Figures for one set of counters and histograms over `durationS` seconds. */
export function summarizeParts(counters: Counters, latency: Histogram, service: Histogram, durationS: number, lateness?: Histogram): Summary {
  const summary: Summary = {
    total_requests: counters.requests,
    successful_requests: counters.successes,
    failed_requests: counters.failures,
    dropped_requests: counters.dropped,
    scheduled_requests: Math.max(counters.scheduled ?? 0, counters.requests + counters.dropped),
    unaccounted_requests: 0,
    unaccounted_max: 0,
    requests_per_second: durationS > 0 ? round(counters.requests / durationS) : 0,
    bytes_received: counters.bytes_in,
    bytes_sent: counters.bytes_out,
    error_rate: counters.requests > 0 ? round(counters.failures / counters.requests, 6) : 0,
    latency_ms: latencyFigures(latency),
    service_time_ms: latencyFigures(service),
    status_codes: { ...counters.status },
    errors: { ...counters.errors },
  };
  if (lateness !== undefined && lateness.totalCount > 0) {
    summary.send_lateness_ms = { p50: percentileMs(lateness, 50), p99: percentileMs(lateness, 99), max: percentileMs(lateness, 100) };
  }
  return summary;
}

export function summarize(acc: LoadResults, durationS: number): Summary {
  return summarizeParts(acc.totals, acc.latency, acc.service, durationS, acc.lateness);
}

/** Summary of one target (by index); zeros when it saw nothing. */
export function summarizeTarget(acc: LoadResults, index: number, durationS: number): Summary {
  const t = acc.targets[index];
  if (t === undefined) return withHistogram((empty) => summarizeParts(emptyCounters(), empty, empty, durationS));
  return summarizeParts(t.counters, t.latency, t.service, durationS);
}

/**
 * Each second's percentiles, by the second's object: merged results replace a second when a delta adds to
 * it, so a report rebuilt while a run goes on decodes only the seconds that changed, not the whole series.
 * The encoded histogram is compared too, so a second changed in place is never served stale figures.
 */
const secondFigures = new WeakMap<SecondResults, { latency: string; p50: number; p99: number }>();

function figuresOf(s: SecondResults): { p50: number; p99: number } {
  const cached = secondFigures.get(s);
  if (cached !== undefined && cached.latency === s.latency) return cached;
  const figures = withDecoded(s.latency, (h) => ({ latency: s.latency, p50: percentileMs(h, 50), p99: percentileMs(h, 99) }));
  secondFigures.set(s, figures);
  return figures;
}

/** One point per second from 0 to the last second with activity; the last bin's rate uses its real width. */
export function timeseries(acc: LoadResults, durationS: number): TimeseriesPoint[] {
  const keys = Object.keys(acc.seconds).map(Number);
  if (keys.length === 0) return [];
  const last = Math.max(...keys, Math.ceil(durationS) - 1);
  const points: TimeseriesPoint[] = [];
  for (let t = 0; t <= last; t++) {
    const s = acc.seconds[t];
    const width = durationS > t && durationS < t + 1 ? durationS - t : 1;
    const figures = s ? figuresOf(s) : undefined;
    points.push({
      t,
      requests: s?.requests ?? 0,
      errors: s?.errors ?? 0,
      dropped: s?.dropped ?? 0,
      rps: round((s?.requests ?? 0) / width),
      p50_ms: figures?.p50 ?? 0,
      p99_ms: figures?.p99 ?? 0,
    });
  }
  return points;
}
