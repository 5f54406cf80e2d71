// Drives the load engine's HttpClient directly, one exchange at a time or many, and keeps what each
// exchange reported (as the Sender would see it), for tests of both request paths.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Exchange, HttpClient, type Transport } from '../../actors/load-generator/http-client.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { ERROR_KINDS, NO_ERROR } from '../../src/stats/index.js';

export interface Outcome {
  target: number;
  status: number;
  /** An ERROR_KINDS name, or 'ok'. */
  error: string;
  bytesIn: number;
  written: boolean;
  sent: number;
  ended: number;
}

export interface Harness {
  client: HttpClient;
  outcomes: Outcome[];
  /** Dispatches one exchange now; resolves with its outcome. */
  send(target?: number): Promise<Outcome>;
  /** Dispatches one exchange now and returns it (to expire it by hand, as Deadlines would). */
  start(target?: number): { exchange: Exchange; done: Promise<Outcome> };
  close(): Promise<void>;
}

export function harness(targets: Record<string, unknown>[], opts: { connections?: number; pipelining?: number; transport?: Transport } = {}): Harness {
  const task = validateLoadTask({ targets, duration: 1, concurrent_users: 1 });
  const client = new HttpClient(task.targets, { connections: opts.connections ?? 1, pipelining: opts.pipelining ?? 1, transport: opts.transport ?? 'auto' });
  const outcomes: Outcome[] = [];
  const waiting = new Map<Exchange, (o: Outcome) => void>();
  const sink = {
    exchangeDone(ex: Exchange) {
      const outcome: Outcome = { target: ex.target, status: ex.status, error: ex.error === NO_ERROR ? 'ok' : ERROR_KINDS[ex.error]!, bytesIn: ex.bytesIn, written: ex.written, sent: ex.sent, ended: ex.ended };
      outcomes.push(outcome);
      client.release(ex);
      const resolve = waiting.get(ex);
      waiting.delete(ex);
      resolve?.(outcome);
    },
  };
  const start = (target = 0) => {
    const now = performance.now();
    const exchange = new Exchange(sink).reset(target, now, now);
    const done = new Promise<Outcome>((resolve) => waiting.set(exchange, resolve));
    client.dispatch(exchange);
    return { exchange, done };
  };
  return {
    client,
    outcomes,
    start,
    send: (target = 0) => start(target).done,
    close: () => client.destroy(),
  };
}

export interface RawServer {
  url: string;
  /** Requests received (complete heads; bodies are not expected). */
  requests(): number;
  connections(): number;
  close(): Promise<void>;
}

/**
 * A TCP server on 127.0.0.1 that hands each complete request head to `answer` with its socket and its
 * number on that connection, for answers no well-behaved HTTP server gives.
 */
export async function rawServer(answer: (socket: Socket, request: string, n: number) => void): Promise<RawServer> {
  let requests = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = '';
    let n = 0;
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const request = pending.slice(0, end + 4);
        pending = pending.slice(end + 4);
        requests++;
        answer(socket, request, n++);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests: () => requests,
    connections: () => connections,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
