// HTTP for the load engine, with nothing allocated per request by this layer. Plain `http:` targets go
// through the engine's own HTTP/1.1 client (h1-lane.ts: prebuilt request bytes, one write, a minimal
// parser): undici's request path measured 0.80-0.88× autocannon's requests per CPU-second even driven
// bare through its dispatch API, and issue 15 asks 1.3×. `https:` targets, and requests whose headers
// take over the connection's framing (connection, transfer-encoding, expect …), go through undici.
// Either way an exchange is sent on a lane (one connection) from its origin's stack of lanes with room.
import type { Dispatcher } from 'undici';
import type { LoadTarget } from '../../src/plan/index.js';
import type { Exchange } from './exchange.js';
import { H1Lane } from './h1-lane.js';
import { Origin, type Lane, type PreparedTarget } from './lanes.js';
import { UndiciLane } from './undici-lane.js';

export { errorKindOf, Exchange, RequestTimeoutError, type ExchangeSink } from './exchange.js';
export type { PreparedTarget } from './lanes.js';

/** Request headers that change how a message is framed or the connection kept: left to undici. */
const FRAMING_HEADERS = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection']);
/** Methods that announce an empty body with `content-length: 0` (as undici). */
const PAYLOAD_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export type Transport = 'auto' | 'undici';

export interface HttpClientOptions {
  /** Connections per origin. */
  connections: number;
  pipelining: number;
  /** 'undici': every target through undici (for comparison and tests); default 'auto'. */
  transport?: Transport;
}

function statusTable(expected: readonly number[] | undefined): Uint8Array {
  const ok = new Uint8Array(600);
  if (expected === undefined) ok.fill(1, 200, 400);
  else for (const s of expected) ok[s] = 1;
  return ok;
}

/** Whether the engine's own client carries this target. */
export function ownPathFor(url: URL, headers: Record<string, string>, transport: Transport = 'auto'): boolean {
  return transport === 'auto' && url.protocol === 'http:' && !Object.keys(headers).some((h) => FRAMING_HEADERS.has(h.toLowerCase()));
}

/** The request line and headers as undici writes them for the same target. */
function requestHead(t: LoadTarget, url: URL, path: string, body: Buffer | null): string {
  const userHost = Object.keys(t.headers).some((h) => h.toLowerCase() === 'host');
  let head = `${t.method} ${path} HTTP/1.1\r\n${userHost ? '' : `host: ${url.host}\r\n`}connection: keep-alive\r\n`;
  for (const [k, v] of Object.entries(t.headers)) head += `${k}: ${v}\r\n`;
  if (body && body.length > 0) head += `content-length: ${body.length}\r\n`;
  else if (PAYLOAD_METHODS.has(t.method)) head += 'content-length: 0\r\n';
  return `${head}\r\n`;
}

export class HttpClient {
  readonly targets: PreparedTarget[];
  readonly #origins = new Map<string, Origin>();

  constructor(targets: readonly LoadTarget[], opts: HttpClientOptions) {
    const prepared: PreparedTarget[] = [];
    this.targets = prepared;
    for (const t of targets) {
      const url = new URL(t.url);
      const own = ownPathFor(url, t.headers, opts.transport);
      const key = `${own ? 'h1' : 'undici'} ${url.origin}`;
      let origin = this.#origins.get(key);
      if (origin === undefined) {
        const lanes: Lane[] = [];
        // IPv6 literals come bracketed in a URL's hostname.
        const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
        const endpoint = { host, port: Number(url.port) || 80, pipelining: opts.pipelining };
        for (let i = 0; i < opts.connections; i++) lanes.push(own ? new H1Lane(endpoint, prepared) : new UndiciLane(url.origin, opts.pipelining));
        origin = new Origin(lanes, opts.pipelining);
        this.#origins.set(key, origin);
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
      const head = Buffer.from(requestHead(t, url, path, body), 'latin1');
      const request = body && body.length > 0 ? Buffer.concat([head, body]) : head;
      prepared.push({ origin, options, request, head: t.method === 'HEAD', bytesOut: request.length, timeoutMs, ok: statusTable(t.expected_status) });
    }
  }

  dispatch(exchange: Exchange): void {
    const t = this.targets[exchange.target]!;
    const lane = t.origin.acquire();
    exchange.lane = lane;
    lane.dispatch(t, exchange);
  }

  /** Gives the exchange's connection back; once per exchange, when it has finished. */
  release(exchange: Exchange): void {
    const lane = exchange.lane;
    if (lane === undefined) return;
    exchange.lane = undefined;
    this.targets[exchange.target]!.origin.release(lane);
  }

  #lanes(): Lane[] {
    return [...this.#origins.values()].flatMap((o) => o.lanes);
  }

  /** Waits for what is in flight, then closes the sockets. */
  async close(): Promise<void> {
    await Promise.all(this.#lanes().map((l) => l.close()));
  }

  /** Aborts what is in flight (each exchange finishes with an error) and closes the sockets. */
  async destroy(): Promise<void> {
    await Promise.all(this.#lanes().map((l) => l.destroy()));
  }
}
