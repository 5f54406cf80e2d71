// A time limit for one operation on a stream, as an AbortSignal whose timer goes away with the operation.
// AbortSignal.timeout(ms) leaves its timer behind until it expires: one per frame read or written, each
// firing seconds later for nothing, on a peer that exchanges a few dozen frames a second at rest.
import { TransportError } from '../errors.js';

export interface Deadline {
  readonly signal: AbortSignal;
  /** The operation is over: the timer is cleared (and nothing fires later). */
  clear(): void;
}

/** Aborts `signal` after `ms` (or when `outer` aborts) unless cleared first. */
export function deadline(ms: number, outer?: AbortSignal): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TransportError('TRANSPORT_TIMEOUT', `no answer within ${ms} ms`)), ms);
  timer.unref();
  const signal = outer ? AbortSignal.any([outer, controller.signal]) : controller.signal;
  return { signal, clear: () => clearTimeout(timer) };
}
