// Warm-up before the start: runs the request path (the engine's own client or undici, the sender and recorder)
// against a canned HTTP server on 127.0.0.1 inside this process, never against the targets, so their
// counts stay exact. Cold, the first second of a run showed the engine's own start-up (100-300 ms of
// compile and JIT) as latency from the intended time. Then it collects the thread's heap once.
import { createServer, type Server, type Socket } from 'node:net';
import type { LoadTarget } from '../../src/plan/index.js';
import { systemClock, type Clock } from '../../src/util/clock.js';
import { Recorder } from '../../src/stats/index.js';
import { collectGarbage, memoryReducerMayCollect } from '../../src/util/heap.js';
import { HttpClient, ownPathFor } from './http-client.js';
import { Sender } from './sender.js';

export const WARM_UP_MS = 250;
/** Between the end of the warm-up and the start, for its sockets to close. */
export const WARM_UP_GAP_MS = 50;
/** How far ahead of its start a run is created to warm up in full. */
export const WARM_UP_LEAD_MS = WARM_UP_MS + WARM_UP_GAP_MS;
// Enough for the request path to be compiled and its caches warm; more only burnt CPU (a tenth of a
// CPU-second at 5,000, a quarter of what a 10 s run at 1,000 req/s costs in all). undici's path (its
// wasm parser and much more JavaScript) needs more requests than the engine's own, whose warm-up cost
// about 0.1 CPU-s at 600 requests and half of that at 200.
const WARM_UP_MAX_REQUESTS = { own: 200, undici: 600 };
const WARM_UP_USERS = 4;
const DELTA_EVERY = 100;
// Headers as a typical server sends them, so that the parser's branches for them are warm too.
const HEAD = 'HTTP/1.1 200 OK\r\nServer: warm-up\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=60\r\n\r\n';
const RESPONSE = Buffer.from(`${HEAD}ok`);
const HEAD_RESPONSE = Buffer.from(HEAD);
const HEAD_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;

/** Answers each complete request (headers plus content-length body) with RESPONSE, pipelined or not. */
function cannedServer(): Server {
  return createServer((socket: Socket) => {
    socket.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (let guard = 0; guard < 10_000; guard++) {
        const end = pending.indexOf(HEAD_END);
        if (end < 0) break;
        const length = Number(CONTENT_LENGTH.exec(pending.subarray(0, end).toString('latin1'))?.[1] ?? 0);
        if (pending.length < end + 4 + length) break;
        const head = pending[0] === 0x48 && pending[1] === 0x45; // HEAD: no body
        pending = pending.subarray(end + 4 + length);
        socket.write(head ? HEAD_RESPONSE : RESPONSE);
      }
    });
    socket.on('error', () => {});
  });
}

export interface WarmUp {
  done: Promise<void>;
  /** Ends it now (its sockets are destroyed). */
  cancel(): void;
}

/** Warms up for at most `budgetMs` (and a bounded number of requests); never throws. */
export function warmUp(targets: readonly LoadTarget[], budgetMs: number, clock: Clock = systemClock): WarmUp {
  let cancelled = false;
  let stop = () => {};
  const done = (async () => {
    const server = cannedServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    if (cancelled) {
      await new Promise((resolve) => server.close(resolve));
      return;
    }
    const { port } = server.address() as { port: number };
    const local = targets.map((t) => {
      const url = new URL(t.url);
      return { ...t, url: `http://127.0.0.1:${port}${url.pathname}${url.search}` };
    });
    // The path the run will take: the engine's own client, or undici when some target needs it (https).
    const own = targets.every((t) => ownPathFor(new URL(t.url), t.headers));
    const client = new HttpClient(local, { connections: WARM_UP_USERS, pipelining: 1, transport: own ? 'auto' : 'undici' });
    const maxRequests = own ? WARM_UP_MAX_REQUESTS.own : WARM_UP_MAX_REQUESTS.undici;
    const recorder = new Recorder('warm-up', local.length, performance.now());
    const sender = new Sender(client, recorder);
    const until = performance.now() + budgetMs;
    let sent = 0;
    const finished = new Promise<void>((resolve) => {
      const stopAll = () => {
        clock.cancel(guard);
        void client.destroy().finally(resolve);
      };
      stop = stopAll;
      const guard = clock.schedule(stopAll, budgetMs + 200);
      sender.onFree = (later) => {
        const now = performance.now();
        // Cutting deltas now and then warms the encoding too, which otherwise runs cold at the first second.
        if (sent % DELTA_EVERY === 0) recorder.takeDelta();
        if (!later && now < until && sent < maxRequests) sender.send(sent++ % local.length, now, now);
        else if (sender.inFlight === 0) stopAll();
      };
      const now = performance.now();
      for (let u = 0; u < WARM_UP_USERS; u++) sender.send(sent++ % local.length, now, now);
    });
    try {
      await finished;
      recorder.takeDelta(true);
    } finally {
      recorder.release();
      await new Promise((resolve) => server.close(resolve));
    }
    // V8's first major collection of this thread, now rather than a few seconds into the run, among the
    // arrivals (src/util/heap.ts). Within the budget: the start is WARM_UP_GAP_MS after it. Not where V8's
    // memory reducer would answer it with another collection 8 s later, in the run.
    if (!cancelled && performance.now() < until && !memoryReducerMayCollect()) await collectGarbage();
  })().catch(() => {});
  return {
    done,
    cancel() {
      cancelled = true;
      stop();
    },
  };
}
