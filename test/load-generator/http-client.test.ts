// Both request paths of the load engine against a real node:http server that counts what it received:
// the engine's own HTTP/1.1 client ('auto', for http: targets) and undici ('undici').
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, sleep, type Harness } from '../support/http-harness.js';
import { ownPathFor } from '../../actors/load-generator/http-client.js';

interface Target {
  url: string;
  /** Requests received, by method and path. */
  received: Map<string, number>;
  /** Body bytes received, by method and path. */
  bodies: Map<string, number>;
  connections: () => number;
  close(): Promise<void>;
}

const BIG = 'b'.repeat(2_000_000);

/** Answers by path: /ok, /echo (the body's length), /chunked, /big, /empty (204), /same (304), /close, /hang, /status/NNN. */
async function startTarget(): Promise<Target> {
  const received = new Map<string, number>();
  const bodies = new Map<string, number>();
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const key = `${req.method} ${req.url}`;
    received.set(key, (received.get(key) ?? 0) + 1);
    let body = 0;
    req.on('data', (c: Buffer) => (body += c.length));
    req.on('end', () => {
      bodies.set(key, (bodies.get(key) ?? 0) + body);
      const path = req.url ?? '/';
      if (path === '/ok') res.end('ok');
      else if (path === '/echo') res.end(String(body));
      else if (path === '/chunked') {
        res.write('one,');
        setTimeout(() => {
          res.write('two,');
          setTimeout(() => res.end('three'), 5);
        }, 5);
      } else if (path === '/big') res.end(BIG);
      else if (path === '/empty') res.writeHead(204).end();
      else if (path === '/same') res.writeHead(304).end();
      else if (path === '/close') res.writeHead(200, { connection: 'close', 'content-length': 3 }).end('bye');
      else if (path === '/hang') return;
      else if (path.startsWith('/status/')) res.writeHead(Number(path.slice(8))).end('s');
      else res.writeHead(404).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    bodies,
    connections: () => connections,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.each(['auto', 'undici'] as const)('HTTP client (%s)', (transport) => {
  let target: Target;
  let h: Harness | undefined;
  beforeEach(async () => {
    target = await startTarget();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await target.close();
  });
  const own = transport === 'auto';

  it('keeps one connection alive for sequential requests, each counted once', async () => {
    h = harness([{ url: `${target.url}/ok` }], { connections: 4, transport });
    for (let i = 0; i < 50; i++) expect(await h.send()).toMatchObject({ status: 200, error: 'ok', written: true });
    expect(target.received.get('GET /ok')).toBe(50);
    // Lazily opened: one request at a time needs one socket of the four.
    expect(target.connections()).toBe(1);
    for (const o of h.outcomes) expect(o.ended).toBeGreaterThanOrEqual(o.sent);
  });

  it('reads every kind of body and status', async () => {
    h = harness(
      [
        { url: `${target.url}/echo`, body: 'x'.repeat(10_000) },
        { url: `${target.url}/chunked` },
        { url: `${target.url}/big` },
        { url: `${target.url}/empty` },
        { url: `${target.url}/same` },
        { url: `${target.url}/ok`, method: 'HEAD' },
        { url: `${target.url}/status/503` },
        { url: `${target.url}/echo`, method: 'PUT' },
      ],
      { transport },
    );
    const outcomes = [];
    for (let t = 0; t < 8; t++) outcomes.push(await h.send(t));
    expect(outcomes.map((o) => [o.status, o.error])).toEqual([
      [200, 'ok'],
      [200, 'ok'],
      [200, 'ok'],
      [204, 'ok'],
      [304, 'ok'],
      [200, 'ok'],
      [503, 'ok'],
      [200, 'ok'],
    ]);
    expect(Object.fromEntries(target.received)).toEqual({ 'POST /echo': 1, 'GET /chunked': 1, 'GET /big': 1, 'GET /empty': 1, 'GET /same': 1, 'HEAD /ok': 1, 'GET /status/503': 1, 'PUT /echo': 1 });
    expect(target.bodies.get('POST /echo')).toBe(10_000);
    expect(target.bodies.get('PUT /echo')).toBe(0);
    // All on one connection: every response ended where the next began (undici closes after some).
    if (own) expect(target.connections()).toBe(1);
    expect(outcomes[2]!.bytesIn).toBeGreaterThan(BIG.length);
    expect(outcomes[2]!.bytesIn).toBeLessThan(BIG.length + 300);
  });

  it('sends bodies whole', async () => {
    h = harness([{ url: `${target.url}/echo`, body: { a: 'é'.repeat(3000) } }], { transport });
    const res = await h.send();
    expect(res.status).toBe(200);
    // JSON of 3,000 two-byte characters and its braces, sent as UTF-8.
    expect(target.received.get('POST /echo')).toBe(1);
    expect(target.bodies.get('POST /echo')).toBe(Buffer.byteLength(JSON.stringify({ a: 'é'.repeat(3000) })));
  });

  it('opens a new connection after the server closes one', async () => {
    h = harness([{ url: `${target.url}/close` }, { url: `${target.url}/ok` }], { transport });
    for (let i = 0; i < 5; i++) expect(await h.send(0)).toMatchObject({ status: 200, error: 'ok' });
    expect(await h.send(1)).toMatchObject({ status: 200, error: 'ok' });
    expect(target.received.get('GET /close')).toBe(5);
    expect(target.connections()).toBe(6);
  });

  it('pipelines on one connection and answers in order', async () => {
    h = harness([{ url: `${target.url}/status/201` }, { url: `${target.url}/status/202` }], { connections: 1, pipelining: 10, transport });
    const all = await Promise.all(Array.from({ length: 40 }, (_, i) => h!.send(i % 2)));
    expect(all.map((o) => o.status)).toEqual(Array.from({ length: 40 }, (_, i) => 201 + (i % 2)));
    expect(target.connections()).toBe(1);
    expect(target.received.get('GET /status/201')! + target.received.get('GET /status/202')!).toBe(40);
  });

  it('queues beyond connections × pipelining and sends each once', async () => {
    h = harness([{ url: `${target.url}/ok` }], { connections: 2, pipelining: 1, transport });
    const all = await Promise.all(Array.from({ length: 30 }, () => h!.send()));
    expect(all.every((o) => o.status === 200 && o.error === 'ok')).toBe(true);
    expect(target.received.get('GET /ok')).toBe(30);
    expect(target.connections()).toBe(2);
  });

  it('times out a request the server never answers, and goes on with a new connection', async () => {
    h = harness([{ url: `${target.url}/hang` }, { url: `${target.url}/ok` }], { transport });
    const { exchange, done } = h.start(0);
    await sleep(100);
    exchange.expire();
    expect(await done).toMatchObject({ status: 0, error: 'timeout', written: true });
    expect(await h.send(1)).toMatchObject({ status: 200, error: 'ok' });
    expect(target.received.get('GET /hang')).toBe(1);
    expect(target.connections()).toBe(2);
  });

  it('fails fast on a refused connection', async () => {
    const port = Number(new URL(target.url).port);
    await target.close();
    h = harness([{ url: `http://127.0.0.1:${port}/ok` }], { connections: 2, transport });
    const all = await Promise.all([h.send(), h.send(), h.send()]);
    for (const o of all) expect(o).toMatchObject({ status: 0, error: 'refused', written: false });
    target = await startTarget();
  });

  it('aborts what is in flight when destroyed', async () => {
    h = harness([{ url: `${target.url}/hang` }], { connections: 2, pipelining: 2, transport });
    const pending = Array.from({ length: 6 }, () => h!.send());
    await sleep(100);
    await h.client.destroy();
    const all = await Promise.all(pending);
    expect(all.map((o) => o.error)).toEqual(Array(6).fill('aborted'));
    // Four were written (two connections, two deep); two waited.
    expect(target.received.get('GET /hang')).toBe(4);
    expect(all.filter((o) => o.written)).toHaveLength(own ? 4 : all.filter((o) => o.written).length);
  });
});

describe('which path a target takes', () => {
  it.each([
    ['http://127.0.0.1:1/', {}, true],
    ['https://127.0.0.1:1/', {}, false],
    ['http://127.0.0.1:1/', { 'x-a': '1', Host: 'example' }, true],
    ['http://127.0.0.1:1/', { Connection: 'close' }, false],
    ['http://127.0.0.1:1/', { expect: '100-continue' }, false],
    ['http://127.0.0.1:1/', { 'Transfer-Encoding': 'chunked' }, false],
  ] as const)('%s with %j: own path %s', (url, headers, own) => {
    expect(ownPathFor(new URL(url), headers)).toBe(own);
    expect(ownPathFor(new URL(url), headers, 'undici')).toBe(false);
  });
});
