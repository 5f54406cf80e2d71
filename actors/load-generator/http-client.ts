// HTTP through undici on the raw dispatch handler API: per request, one reusable handler object and
// prebuilt dispatch options; nothing else is allocated by this layer. Connections are undici Clients
// (one keep-alive socket each) handed out from a stack of those with room, which costs far less per
// request than undici's Pool (that scans its clients on every dispatch and relays drain events).
import type { Dispatcher } from 'undici';
import Client from 'undici/lib/dispatcher/client.js'; // not the index: see src/types/undici-parts.d.ts
import type { LoadTarget } from '../../src/plan/index.js';
import { ERROR_INDEX, NO_ERROR } from '../../src/stats/index.js';

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

/** One request in flight; recycled after exchangeDone. Times are performance.now() milliseconds. */
export class Exchange implements Dispatcher.DispatchHandler {
  target = 0;
  intended = 0;
  sent = 0;
  ended = 0;
  status = 0;
  bytesIn = 0;
  /** Handed to a socket (onConnect came): its bytes went out. */
  written = false;
  error = NO_ERROR;
  /** When it times out, and its place in the in-flight list (-1: not in it); kept by Deadlines. */
  deadline = 0;
  slot = -1;
  /** The connection it went out on. */
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

  /** Its deadline passed: abort it now, or as soon as undici hands it a socket. */
  expire(): void {
    if (this.ended !== 0) return;
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

/** One connection: an undici Client with a count of requests on it. */
export interface Lane {
  client: Client;
  inFlight: number;
  /** On its origin's stack of lanes with room. */
  listed: boolean;
}

/** The connections to one origin. */
class Origin {
  readonly lanes: Lane[];
  readonly #free: Lane[];
  readonly #capacity: number;
  #next = 0;

  constructor(origin: string, connections: number, pipelining: number) {
    this.#capacity = pipelining;
    this.lanes = Array.from({ length: connections }, () => ({ client: new Client(origin, { pipelining, keepAliveTimeout: 30_000 }), inFlight: 0, listed: true }));
    // Reversed so that the first connection is used first: at low rates only a few sockets open.
    this.#free = [...this.lanes].reverse();
  }

  acquire(): Lane {
    let lane = this.#free.pop();
    if (lane === undefined) {
      // More requests than connections × pipelining (closed model with many users): undici queues them.
      lane = this.lanes[this.#next]!;
      this.#next = (this.#next + 1) % this.lanes.length;
    } else if (lane.inFlight + 1 < this.#capacity) {
      this.#free.push(lane);
    } else {
      lane.listed = false;
    }
    lane.inFlight++;
    return lane;
  }

  release(lane: Lane): void {
    lane.inFlight--;
    if (!lane.listed && lane.inFlight < this.#capacity) {
      lane.listed = true;
      this.#free.push(lane);
    }
  }
}

export interface PreparedTarget {
  origin: Origin;
  options: Dispatcher.DispatchOptions;
  /** Estimated bytes on the wire per request (request line, headers, body). */
  bytesOut: number;
  timeoutMs: number;
  /** ok[status] is 1 when the status counts as success. */
  ok: Uint8Array;
}

export interface HttpClientOptions {
  /** Connections per origin. */
  connections: number;
  pipelining: number;
}

function statusTable(expected: readonly number[] | undefined): Uint8Array {
  const ok = new Uint8Array(600);
  if (expected === undefined) ok.fill(1, 200, 400);
  else for (const s of expected) ok[s] = 1;
  return ok;
}

export class HttpClient {
  readonly targets: PreparedTarget[];
  readonly #origins = new Map<string, Origin>();

  constructor(targets: readonly LoadTarget[], opts: HttpClientOptions) {
    this.targets = targets.map((t) => {
      const url = new URL(t.url);
      let origin = this.#origins.get(url.origin);
      if (origin === undefined) {
        origin = new Origin(url.origin, opts.connections, opts.pipelining);
        this.#origins.set(url.origin, origin);
      }
      const body = t.body === undefined ? null : Buffer.from(t.body);
      const headers = Object.entries(t.headers).flat();
      const path = url.pathname + url.search;
      const timeoutMs = Math.round(t.timeout * 1000);
      // undici's timers are a backstop only (they tick every ~500 ms); Deadlines enforce the timeout.
      const options: Dispatcher.DispatchOptions = {
        path,
        method: t.method,
        headers: headers.length > 0 ? headers : null,
        body,
        headersTimeout: timeoutMs + 1000,
        bodyTimeout: timeoutMs + 1000,
        ...(opts.pipelining > 1 ? { blocking: false } : {}),
      };
      let head = `${t.method} ${path} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: keep-alive\r\n`;
      for (const [k, v] of Object.entries(t.headers)) head += `${k}: ${v}\r\n`;
      if (body) head += `content-length: ${body.length}\r\n`;
      return { origin, options, bytesOut: Buffer.byteLength(head) + 2 + (body?.length ?? 0), timeoutMs, ok: statusTable(t.expected_status) };
    });
  }

  dispatch(exchange: Exchange): void {
    const t = this.targets[exchange.target]!;
    const lane = t.origin.acquire();
    exchange.lane = lane;
    lane.client.dispatch(t.options, exchange);
  }

  /** Gives the exchange's connection back; once per exchange, when it has finished. */
  release(exchange: Exchange): void {
    const lane = exchange.lane;
    if (lane === undefined) return;
    exchange.lane = undefined;
    this.targets[exchange.target]!.origin.release(lane);
  }

  #clients(): Client[] {
    return [...this.#origins.values()].flatMap((o) => o.lanes.map((l) => l.client));
  }

  /** Waits for what is in flight, then closes the sockets. */
  async close(): Promise<void> {
    await Promise.all(this.#clients().map((c) => c.close()));
  }

  /** Aborts what is in flight (each exchange finishes with an error) and closes the sockets. */
  async destroy(): Promise<void> {
    await Promise.all(this.#clients().map((c) => c.destroy()));
  }
}
