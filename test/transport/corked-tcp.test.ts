// The corked TCP connection: what one turn of the event loop sends leaves in one write system call,
// counted by the kernel (/proc/self/io), against the same connection uncorked.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { MultiaddrConnection } from '@libp2p/interface';
import { corkWrites } from '../../src/transport/libp2p/corked-tcp.js';

const writeCalls = () => Number(/syscw: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1]);

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** A connected pair on loopback: the client socket, and all bytes the server received. */
async function pair(): Promise<{ client: Socket; received: () => number }> {
  let bytes = 0;
  server = createServer((s) => {
    sockets.push(s);
    s.on('data', (d) => (bytes += d.length));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  client.setNoDelay(true);
  sockets.push(client);
  await new Promise((r) => client.once('connect', r));
  return { client, received: () => bytes };
}

/** Like libp2p's TCP connection: every buffer of a send is its own socket.write. */
function tcpLike(socket: Socket): MultiaddrConnection {
  return {
    socket,
    sendData(data: Iterable<Uint8Array>) {
      for (const b of data) socket.write(b);
      return { sentBytes: 0, canSendMore: true };
    },
  } as unknown as MultiaddrConnection;
}

/** 100 turns, each sending three frames of a 2-byte length and a body, as noise does; write calls and bytes counted. */
async function send(conn: MultiaddrConnection, received: () => number): Promise<number> {
  const sendData = (conn as unknown as { sendData(d: Iterable<Uint8Array>): unknown }).sendData;
  const before = writeCalls();
  for (let turn = 0; turn < 100; turn++) {
    for (let f = 0; f < 3; f++) sendData([new Uint8Array(2), new Uint8Array(100)]);
    await new Promise((r) => setImmediate(r));
  }
  const calls = writeCalls() - before;
  const until = Date.now() + 5_000;
  while (received() < 100 * 3 * 102 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  expect(received()).toBe(100 * 3 * 102); // every byte arrives, in order of sending (TCP)
  return calls;
}

describe('corked TCP writes', () => {
  it('one write call per turn instead of one per buffer', async () => {
    const plain = await pair();
    const uncorked = await send(tcpLike(plain.client), plain.received);
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise((r) => server!.close(r));
    const corked = await pair();
    const calls = await send(corkWrites(tcpLike(corked.client)), corked.received);
    expect(uncorked).toBeGreaterThanOrEqual(600); // six buffers a turn, six writes
    // One a turn, and some slack for the test runner's own writes in this process.
    expect(calls).toBeLessThan(200);
  });

  it('leaves a connection without a socket alone', () => {
    const other = { sendData: () => ({ sentBytes: 0, canSendMore: true }) } as unknown as MultiaddrConnection;
    const before = (other as unknown as { sendData: unknown }).sendData;
    expect((corkWrites(other) as unknown as { sendData: unknown }).sendData).toBe(before);
  });
});
