// The engine's own HTTP/1.1 client against raw TCP servers that answer as no well-behaved server would:
// responses dribbled a few bytes at a time, pipelined answers in one write, resets and closes in the
// middle of a response, bodies that end at the close, garbage. Each server counts the requests it got.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, rawServer, sleep, type Harness, type RawServer } from '../support/http-harness.js';

let server: RawServer | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  await server?.close();
  server = undefined;
});

/** Writes `wire` in pieces of `size` bytes, one per event-loop turn or so, so that reads split it. */
async function dribble(socket: Socket, wire: string, size: number): Promise<void> {
  for (let i = 0; i < wire.length && !socket.destroyed; i += size) {
    socket.write(wire.slice(i, i + size), 'latin1');
    await sleep(1);
  }
}

const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\ncontent-type: text/plain\r\n\r\n5\r\nhello\r\n1;ext=1\r\n,\r\n6\r\n world\r\n0\r\nx-trailer: yes\r\n\r\n';

describe("the engine's own HTTP/1.1 client", () => {
  it('reads a chunked response split at every byte, and counts its bytes exactly', async () => {
    server = await rawServer((socket) => void dribble(socket, CHUNKED, 1));
    h = harness([{ url: server.url }]);
    for (let i = 0; i < 3; i++) expect(await h.send()).toMatchObject({ status: 200, error: 'ok', bytesIn: CHUNKED.length });
    expect(server.requests()).toBe(3);
    expect(server.connections()).toBe(1);
  });

  it.each([2, 3, 7, 13])('reads pipelined responses written together, cut every %i bytes', async (size) => {
    const answers = [CHUNKED, 'HTTP/1.1 404 Not Found\r\ncontent-length: 4\r\n\r\nnope', 'HTTP/1.1 204 No Content\r\n\r\n', 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n'];
    server = await rawServer((socket, _, n) => {
      // Nothing until four requests are in, then every answer at once.
      if (n % 4 === 3) void dribble(socket, answers.join(''), size);
    });
    h = harness([{ url: server.url }], { pipelining: 4 });
    const all = await Promise.all(Array.from({ length: 8 }, () => h!.send()));
    expect(all.map((o) => o.status)).toEqual([200, 404, 204, 201, 200, 404, 204, 201]);
    expect(all.map((o) => o.bytesIn)).toEqual([...answers, ...answers].map((a) => a.length));
    expect(server.requests()).toBe(8);
    expect(server.connections()).toBe(1);
  });

  it('fails the request on a reset in the middle of a response, and reconnects for the next', async () => {
    let first = true;
    server = await rawServer((socket) => {
      if (first) {
        first = false;
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
        setTimeout(() => socket.resetAndDestroy(), 20);
      } else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    h = harness([{ url: server.url }]);
    expect(await h.send()).toMatchObject({ status: 0, error: 'reset', written: true });
    expect(await h.send()).toMatchObject({ status: 200, error: 'ok' });
    expect(server.requests()).toBe(2);
    expect(server.connections()).toBe(2);
  });

  it('fails every request written on a connection the server closes half way, and none twice', async () => {
    server = await rawServer((socket, _, n) => {
      if (n === 1) socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\ncontent-len');
    });
    h = harness([{ url: server.url }], { pipelining: 3 });
    const all = await Promise.all(Array.from({ length: 3 }, () => h!.send()));
    expect(all.map((o) => o.error)).toEqual(['ok', 'reset', 'reset']);
    expect(server.requests()).toBe(3);
    expect(server.connections()).toBe(1);
  });

  it('ends a body without a length at the close, and opens a new connection for the next', async () => {
    const wire = 'HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nthe body runs until the server closes';
    server = await rawServer((socket) => {
      socket.write(wire.slice(0, 50));
      setTimeout(() => socket.end(wire.slice(50)), 10);
    });
    h = harness([{ url: server.url }]);
    expect(await h.send()).toMatchObject({ status: 200, error: 'ok', bytesIn: wire.length });
    expect(await h.send()).toMatchObject({ status: 200, error: 'ok', bytesIn: wire.length });
    expect(server.connections()).toBe(2);
  });

  it('drops a connection that answers garbage, and one that answers what was not asked', async () => {
    server = await rawServer((socket, request) => {
      if (request.startsWith('GET /garbage')) socket.write('SSH-2.0-nope\r\n\r\n');
      else if (request.startsWith('GET /twice')) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
      else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    });
    h = harness([{ url: `${server.url}garbage` }, { url: `${server.url}twice` }, { url: `${server.url}fine` }]);
    expect(await h.send(0)).toMatchObject({ status: 0, error: 'other' });
    expect(await h.send(2)).toMatchObject({ status: 200, error: 'ok' });
    // The extra answer comes in the same read: it is not taken as the next request's.
    expect(await h.send(1)).toMatchObject({ status: 200, error: 'ok' });
    expect(await h.send(2)).toMatchObject({ status: 200, error: 'ok' });
    expect(server.requests()).toBe(4);
    expect(server.connections()).toBe(3);
  });

  it('notices a server closing an idle keep-alive connection and reconnects without an error', async () => {
    server = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
      setTimeout(() => socket.end(), 5);
    });
    h = harness([{ url: server.url }]);
    for (let i = 0; i < 4; i++) {
      expect(await h.send()).toMatchObject({ status: 200, error: 'ok' });
      await sleep(40);
    }
    expect(server.connections()).toBe(4);
  });

  it('does not reuse a connection the server keeps idle for less than the margin', async () => {
    server = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nkeep-alive: timeout=1\r\ncontent-length: 0\r\n\r\n'));
    h = harness([{ url: server.url }]);
    for (let i = 0; i < 3; i++) expect(await h.send()).toMatchObject({ status: 200, error: 'ok' });
    expect(server.connections()).toBe(3);
  });

  it('times out a request waiting behind a pipeline, sending it nowhere; aborts those written after a timed-out one', async () => {
    server = await rawServer(() => {});
    h = harness([{ url: server.url }], { pipelining: 2 });
    const a = h.start();
    const b = h.start();
    const c = h.start();
    await sleep(50);
    // c waits in the lane's queue: it times out unsent.
    c.exchange.expire();
    expect(await c.done).toMatchObject({ error: 'timeout', written: false });
    expect(server.requests()).toBe(2);
    // a is written: its connection goes, and b, written behind it, with it.
    a.exchange.expire();
    expect(await a.done).toMatchObject({ error: 'timeout', written: true });
    expect(await b.done).toMatchObject({ error: 'aborted', written: true });
    expect(server.requests()).toBe(2);
  });

  it('reads a large body in many reads', async () => {
    const body = 'q'.repeat(5_000_000);
    const wire = `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    server = await rawServer((socket) => socket.write(wire, 'latin1'));
    h = harness([{ url: server.url }]);
    expect(await h.send()).toMatchObject({ status: 200, error: 'ok', bytesIn: wire.length });
    expect(await h.send()).toMatchObject({ status: 200, error: 'ok', bytesIn: wire.length });
    expect(server.connections()).toBe(1);
  });

  it('sends each request as its prebuilt bytes: request line, host, keep-alive, the plan\'s headers, the body', async () => {
    const seen: string[] = [];
    server = await rawServer((socket, request) => {
      seen.push(request);
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    });
    // The raw server splits heads only: the one request with a body comes last.
    const port = new URL(server.url).port;
    h = harness([
      { url: `${server.url}a?q=1`, headers: { 'X-Token': 'abc', Host: 'example.test' } },
      { url: `${server.url}b`, method: 'PUT' },
      { url: `${server.url}c`, method: 'HEAD' },
      { url: `${server.url}d`, body: { k: 'é' } },
    ]);
    for (let t = 0; t < 4; t++) expect(await h.send(t)).toMatchObject({ status: 200, error: 'ok' });
    expect(seen[0]).toBe('GET /a?q=1 HTTP/1.1\r\nconnection: keep-alive\r\nX-Token: abc\r\nHost: example.test\r\n\r\n');
    expect(seen[1]).toBe(`PUT /b HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: keep-alive\r\ncontent-length: 0\r\n\r\n`);
    expect(seen[2]).toBe(`HEAD /c HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: keep-alive\r\n\r\n`);
    expect(seen[3]).toBe(`POST /d HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: keep-alive\r\ncontent-type: application/json\r\ncontent-length: 10\r\n\r\n`);
    expect(h.outcomes.map((o) => o.written)).toEqual([true, true, true, true]);
  });

  it('reports a name that does not resolve as a DNS error', async () => {
    h = harness([{ url: 'http://name-that-does-not-exist.invalid/' }]);
    expect(await h.send()).toMatchObject({ status: 0, error: 'dns', written: false });
  });
});
