// A results delta: what a run emits about once a second, and what crosses the wire to the coordinator
// and its replicas. Declared once as a schema; the types are inferred from it.
import { z } from 'zod';
import { SaturationSchema } from '../health.js';
import { SegmentSchema } from '../execution/segment.js';
import { SecurityReportSchema } from '../report/security-report.js';

export const ERROR_KINDS = ['timeout', 'refused', 'reset', 'dns', 'unexpected_status', 'aborted', 'other'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

const count = z.number().int().nonnegative();
/** An HDR histogram, compressed and base64-encoded ('' when empty). */
const encodedHistogram = z.string().max(1_000_000);

export const CountersSchema = z.object({
  /** Requests sent and finished (with a response or an error). */
  requests: count,
  successes: count,
  failures: count,
  /** Arrivals that could not start in time; never sent. */
  dropped: count,
  /**
   * Arrivals this run owned whose due time passed (closed model: requests started). When a run ends
   * normally, requests + dropped = scheduled. Absent in deltas of older peers.
   */
  scheduled: count.default(0),
  bytes_in: count,
  bytes_out: count,
  /** Responses by status code. */
  status: z.record(z.string().max(8), count),
  /** Failures by kind (an unexpected status is a failure of kind `unexpected_status`). */
  errors: z.partialRecord(z.enum(ERROR_KINDS), count),
});
export type Counters = z.infer<typeof CountersSchema>;

export const TargetDeltaSchema = z.object({ index: count, counters: CountersSchema, latency: encodedHistogram, service: encodedHistogram });
export type TargetDelta = z.infer<typeof TargetDeltaSchema>;

/** One second of the run (by intended start time, seconds since the run's start). */
export const SecondDeltaSchema = z.object({ t: count, requests: count, errors: count, dropped: count, latency: encodedHistogram });
export type SecondDelta = z.infer<typeof SecondDeltaSchema>;

export const ResultsDeltaSchema = z.object({
  run_id: z.string().min(1).max(512),
  seq: z.number().int().positive().max(10_000_000),
  final: z.boolean(),
  totals: CountersSchema,
  /** Latency from the intended start (corrected for coordinated omission), µs. */
  latency: encodedHistogram,
  /** Service time from the actual send, µs. */
  service: encodedHistogram,
  /** How late the sending loop itself was: actual send − intended send, µs (absent from older peers). */
  lateness: encodedHistogram.optional(),
  targets: z.array(TargetDeltaSchema).max(10_000),
  seconds: z.array(SecondDeltaSchema).max(100_000),
  /** On a final delta: the run stopped before its schedule ended (stopped, or found itself frozen). */
  stopped: z.boolean().optional(),
  /**
   * On a final delta of a fenced run: arrivals it held back while its share was paused and was never
   * told were its own or another's (not in `totals`); the accounting gives them their fate.
   */
  held: z.number().int().nonnegative().max(1_000_000_000).optional(),
  /**
   * On a final delta of an open-model run: the shares its generator applied, each from its `at` (epoch
   * ms). A share it heard of only after its arrivals were due (its run had ended) is not among them: the
   * accounting counts those arrivals as dropped (never sent), not as unaccounted.
   */
  shares: z.array(z.object({ at: z.number(), segment: SegmentSchema })).max(1_000).optional(),
  /** On a final delta: whether the generator was overloaded while it ran its share, with the figures. */
  saturation: SaturationSchema.optional(),
  /** A security_test's run sends no load: its final delta carries the scan's report (on the one peer that scanned). */
  security: SecurityReportSchema.optional(),
});
export type ResultsDelta = z.infer<typeof ResultsDeltaSchema>;
