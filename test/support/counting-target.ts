// A real HTTP target on 127.0.0.1 (port 0) that counts what it receives: in total, per path, per method
// and per arrival time. It can answer a given status, add a delay, or stall: hold every response to
// requests arriving in a window until the window ends (as a server whose workers all hang would).
// With `maxRps` it answers 503 to every request over that rate in a sliding window (a service at capacity);
// a window of 2 s rather than 1 s forgives the bursts of a generator briefly starved of CPU.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface CountingTargetOptions {
  status?: number;
  delayMs?: number;
  body?: string;
  /** Requests per second answered normally; those over it (in the sliding window) get 503. */
  maxRps?: number;
  /** The window maxRps is counted over (default 1 s). */
  windowMs?: number;
}

export interface CountingTarget {
  url: string;
  port: number;
  count(): number;
  countsByPath(): Record<string, number>;
  countsByMethod(): Record<string, number>;
  /** Arrivals per bin of `widthMs` from `originMs` (epoch ms), for `bins` bins (default: up to the last arrival). */
  countsBySecond(originMs: number, bins?: number, widthMs?: number): number[];
  /** Arrival times, epoch milliseconds with sub-millisecond precision. */
  arrivals(): Float64Array;
  /** Requests received but not yet answered. */
  pending(): number;
  /** Holds responses to requests arriving in [fromMs, fromMs + ms) until fromMs + ms; fromMs defaults to now. */
  stall(ms: number, fromMs?: number): void;
  setStatus(status: number): void;
  setDelay(ms: number): void;
  setMaxRps(rps: number | undefined, windowMs?: number): void;
  /** Requests answered 503 for being over maxRps. */
  rejected(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingTarget(opts: CountingTargetOptions = {}): Promise<CountingTarget> {
  const offset = Date.now() - performance.now();
  const nowMs = () => performance.now() + offset;
  let status = opts.status ?? 200;
  let delayMs = opts.delayMs ?? 0;
  let maxRps = opts.maxRps;
  let windowMs = opts.windowMs ?? 1000;
  let windowStart = 0;
  let rejected = 0;
  const body = opts.body ?? 'ok';
  let times = new Float64Array(4096);
  let total = 0;
  let byPath: Record<string, number> = {};
  let byMethod: Record<string, number> = {};
  let stallFrom = 0;
  let stallUntil = 0;
  let pendingCount = 0;
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const answer = (res: ServerResponse, over = false) => {
    pendingCount--;
    if (res.destroyed) return;
    res.writeHead(over ? 503 : status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const at = nowMs();
    if (total === times.length) {
      const grown = new Float64Array(times.length * 2);
      grown.set(times);
      times = grown;
    }
    times[total++] = at;
    // Arrivals in the window, this one included: a two-pointer window over the ordered arrival times.
    while (windowStart < total && times[windowStart]! <= at - windowMs) windowStart++;
    const over = maxRps !== undefined && total - windowStart > (maxRps * windowMs) / 1000;
    if (over) rejected++;
    const path = (req.url ?? '/').split('?')[0]!;
    byPath[path] = (byPath[path] ?? 0) + 1;
    byMethod[req.method ?? 'GET'] = (byMethod[req.method ?? 'GET'] ?? 0) + 1;
    pendingCount++;
    req.resume();
    const hold = at >= stallFrom && at < stallUntil ? stallUntil - at : 0;
    const wait = Math.max(hold, delayMs);
    if (wait > 0) later(wait, () => answer(res, over));
    else answer(res, over);
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    count: () => total,
    countsByPath: () => ({ ...byPath }),
    countsByMethod: () => ({ ...byMethod }),
    countsBySecond(originMs, bins, widthMs = 1000) {
      let n = bins ?? 0;
      if (bins === undefined) for (let i = 0; i < total; i++) n = Math.max(n, Math.floor((times[i]! - originMs) / widthMs) + 1);
      const out = new Array<number>(n).fill(0);
      for (let i = 0; i < total; i++) {
        const bin = Math.floor((times[i]! - originMs) / widthMs);
        if (bin >= 0 && bin < n) out[bin]!++;
      }
      return out;
    },
    arrivals: () => times.slice(0, total),
    pending: () => pendingCount,
    stall(ms, fromMs) {
      stallFrom = fromMs ?? nowMs();
      stallUntil = stallFrom + ms;
    },
    setStatus(s) {
      status = s;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    setMaxRps(rps, window = 1000) {
      maxRps = rps;
      windowMs = window;
    },
    rejected: () => rejected,
    reset() {
      total = 0;
      windowStart = 0;
      rejected = 0;
      byPath = {};
      byMethod = {};
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
