// One request in flight, recycled from request to request, and how its failures are classified. Both
// request paths (undici's dispatcher for https, the engine's own HTTP/1.1 client for http) fill it in and
// report it to the same sink, so the sender and the recorder never know which path carried it.
import type { Dispatcher } from 'undici';
import { ERROR_INDEX, NO_ERROR } from '../../src/stats/index.js';
import type { Lane } from './lanes.js';

/** Told once per exchange, when it has finished one way or the other. */
export interface ExchangeSink {
  exchangeDone(exchange: Exchange): void;
}

const CODE_KIND: Record<string, number> = {
  UND_ERR_HEADERS_TIMEOUT: ERROR_INDEX.timeout,
  UND_ERR_BODY_TIMEOUT: ERROR_INDEX.timeout,
  UND_ERR_CONNECT_TIMEOUT: ERROR_INDEX.timeout,
  ETIMEDOUT: ERROR_INDEX.timeout,
  ECONNREFUSED: ERROR_INDEX.refused,
  ECONNRESET: ERROR_INDEX.reset,
  EPIPE: ERROR_INDEX.reset,
  UND_ERR_SOCKET: ERROR_INDEX.reset,
  ENOTFOUND: ERROR_INDEX.dns,
  EAI_AGAIN: ERROR_INDEX.dns,
  UND_ERR_ABORTED: ERROR_INDEX.aborted,
  UND_ERR_DESTROYED: ERROR_INDEX.aborted,
  UND_ERR_CLOSED: ERROR_INDEX.aborted,
  LOAD_TIMEOUT: ERROR_INDEX.timeout,
};

/** The reason given to undici when a request passes its deadline (one shared instance: no allocation). */
export class RequestTimeoutError extends Error {
  override name = 'RequestTimeoutError';
  readonly code = 'LOAD_TIMEOUT';
}
const TIMED_OUT = new RequestTimeoutError('request timed out');

/** ERROR_INDEX value for a transport error. */
export function errorKindOf(err: unknown): number {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 3; depth++) {
    const kind = typeof e.code === 'string' ? CODE_KIND[e.code] : undefined;
    if (kind !== undefined) return kind;
    e = e.cause as typeof e;
  }
  return ERROR_INDEX.other;
}

/**
 * One request in flight; recycled after exchangeDone. Times are performance.now() milliseconds. It is
 * its own undici handler (onConnect … onError), so the undici path allocates nothing per request either.
 */
export class Exchange implements Dispatcher.DispatchHandler {
  target = 0;
  intended = 0;
  sent = 0;
  ended = 0;
  status = 0;
  bytesIn = 0;
  /** Its bytes went out on a socket. */
  written = false;
  error = NO_ERROR;
  /** When it times out, and its place in the in-flight list (-1: not in it); kept by Deadlines. */
  deadline = 0;
  slot = -1;
  /** The connection it went out on (or waits for). */
  lane: Lane | undefined;
  #abort: ((err?: Error) => void) | undefined;
  #expired = false;
  readonly #sink: ExchangeSink;

  constructor(sink: ExchangeSink) {
    this.#sink = sink;
  }

  reset(target: number, intended: number, now: number): this {
    this.target = target;
    this.intended = intended;
    this.sent = now;
    this.ended = 0;
    this.status = 0;
    this.bytesIn = 0;
    this.written = false;
    this.error = NO_ERROR;
    this.#abort = undefined;
    this.#expired = false;
    return this;
  }

  /** Its deadline passed: its connection ends it. */
  expire(): void {
    if (this.ended === 0) this.lane?.expire(this);
  }

  /** A response came to its end (the engine's own client). */
  complete(ended: number, status: number, bytesIn: number): void {
    this.ended = ended;
    this.status = status;
    this.bytesIn = bytesIn;
    this.#sink.exchangeDone(this);
  }

  /** It failed with an ERROR_INDEX kind (the engine's own client). */
  fail(ended: number, kind: number): void {
    this.ended = ended;
    this.error = kind;
    this.#sink.exchangeDone(this);
  }

  /** undici path: aborts it now, or as soon as undici hands it a socket. */
  abortDispatch(): void {
    if (this.#abort) this.#abort(TIMED_OUT);
    else this.#expired = true;
  }

  /** Called as the request is written to a socket: the actual send. */
  onConnect(abort: (err?: Error) => void): void {
    this.sent = performance.now();
    this.written = true;
    this.#abort = abort;
    if (this.#expired) abort(TIMED_OUT);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    // Status line and blank line, then `name: value\r\n` per header.
    let bytes = 19;
    for (let i = 0; i < rawHeaders.length; i++) bytes += rawHeaders[i]!.length + 2;
    this.bytesIn += bytes;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytesIn += chunk.length;
    return true;
  }

  onComplete(): void {
    this.ended = performance.now();
    this.#abort = undefined;
    this.#sink.exchangeDone(this);
  }

  onError(err: Error): void {
    this.ended = performance.now();
    this.#abort = undefined;
    this.error = errorKindOf(err);
    this.#sink.exchangeDone(this);
  }
}
