// The Transport contract: one suite, run against every implementation.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, serve } from '../../src/protocol/rpc.js';
import { RemoteError, encodeFrame } from '../../src/protocol/frame.js';
import { TransportError } from '../../src/transport/errors.js';
import { MAX_FRAME_BYTES, type PeerEvent, type TopicMessage, type Transport } from '../../src/transport/transport.js';
import { waitFor } from '../../scripts/lib/peer-process.js';
import { setTimeout as sleep } from 'node:timers/promises';

export interface TransportCluster {
  transports: Transport[];
  /** Open connections (not peers) of one transport. */
  connections(index: number): number;
  /** Remove a peer abruptly (kill), as opposed to a graceful stop. */
  kill(index: number): Promise<void>;
  close(): Promise<void>;
}

export type ClusterFactory = (size: number) => Promise<TransportCluster>;

const Echo = z.object({ v: z.literal(1), type: z.literal('echo'), text: z.string() });

/** Echoes on `/echo/1.0.0`, each reply after `delayMs(text)`. */
function serveEchoAfter(t: Transport, delayMs: (text: string) => number): void {
  serve(t, '/echo/1.0.0', Echo, async (req) => {
    await sleep(delayMs(req.text));
    return { type: 'echo', text: req.text };
  });
}

async function connectAll(c: TransportCluster): Promise<void> {
  const ts = c.transports;
  for (const a of ts) for (const b of ts) if (a !== b) a.connect(b.self, b.addresses());
  await waitFor(() => ts.every((t) => t.connectedPeers().length === ts.length - 1), 10_000, 'full mesh');
}

export function transportContract(name: string, factory: ClusterFactory): void {
  describe(`Transport contract: ${name}`, () => {
    let cluster: TransportCluster | undefined;
    afterEach(async () => {
      await cluster?.close();
      cluster = undefined;
    });

    it('connects peers and reports peer events on both sides', async () => {
      cluster = await factory(2);
      const [a, b] = cluster.transports as [Transport, Transport];
      const events: PeerEvent[] = [];
      a.onPeerEvent((e) => events.push(e));
      await connectAll(cluster);
      expect(a.connectedPeers()).toEqual([b.self]);
      expect(b.connectedPeers()).toEqual([a.self]);
      await waitFor(() => events.some((e) => e.type === 'peer.connected' && e.peer === b.self), 2_000, 'connect event');
    });

    it('keeps one connection per pair when both sides connect at once', async () => {
      cluster = await factory(2);
      await connectAll(cluster);
      await new Promise((r) => setTimeout(r, 1_500));
      for (const [i, t] of cluster.transports.entries()) {
        expect(t.connectedPeers()).toHaveLength(1);
        expect(cluster.connections(i)).toBe(1);
      }
    });

    it('publishes to subscribers of the topic on other peers, with an authentic sender', async () => {
      cluster = await factory(3);
      await connectAll(cluster);
      const [a, b, c] = cluster.transports as [Transport, Transport, Transport];
      const got: Record<string, TopicMessage[]> = { a: [], b: [], c: [] };
      a.subscribe('/t/1', (m) => got.a!.push(m));
      b.subscribe('/t/1', (m) => got.b!.push(m));
      c.subscribe('/t/1', (m) => got.c!.push(m));
      c.subscribe('/other/1', () => {
        throw new Error('wrong topic');
      });
      const payload = new TextEncoder().encode('hello');
      await waitFor(async () => {
        await a.publish('/t/1', payload);
        return got.b!.length > 0 && got.c!.length > 0;
      }, 10_000, 'delivery to b and c', 200);
      expect(got.a).toHaveLength(0); // no echo to self
      expect(got.b![0]!.from).toBe(a.self);
      expect(new TextDecoder().decode(got.c![0]!.data)).toBe('hello');
    });

    it('answers a request with the reply frame', async () => {
      cluster = await factory(2);
      await connectAll(cluster);
      const [a, b] = cluster.transports as [Transport, Transport];
      serve(b, '/echo/1.0.0', Echo, (req, from) => ({ type: 'echo', text: `${req.text} from ${from === a.self ? 'a' : '?'}` }));
      const reply = await call(a, b.self, '/echo/1.0.0', { type: 'echo', text: 'hi' }, Echo);
      expect(reply.text).toBe('hi from a');
    });

    it('turns a throwing handler into an error frame, and keeps serving', async () => {
      cluster = await factory(2);
      await connectAll(cluster);
      const [a, b] = cluster.transports as [Transport, Transport];
      serve(b, '/echo/1.0.0', Echo, (req) => {
        if (req.text === 'fail') throw new Error('handler exploded');
        return { type: 'echo', text: req.text };
      });
      await expect(call(a, b.self, '/echo/1.0.0', { type: 'echo', text: 'fail' }, Echo)).rejects.toThrowError(RemoteError);
      expect((await call(a, b.self, '/echo/1.0.0', { type: 'echo', text: 'ok' }, Echo)).text).toBe('ok');
    });

    it('answers an invalid frame with a WIRE_INVALID_FRAME error naming the field', async () => {
      cluster = await factory(2);
      await connectAll(cluster);
      const [a, b] = cluster.transports as [Transport, Transport];
      serve(b, '/echo/1.0.0', Echo, (req) => ({ type: 'echo', text: req.text }));
      const bad = await a.request(b.self, '/echo/1.0.0', encodeFrame({ type: 'echo', text: 42 }));
      const error = JSON.parse(new TextDecoder().decode(bad));
      expect(error).toMatchObject({ v: 1, type: 'error', code: 'WIRE_INVALID_FRAME' });
      expect(error.message).toContain('text');
      const garbage = await a.request(b.self, '/echo/1.0.0', new Uint8Array([0xff, 0x00, 0x12]));
      expect(JSON.parse(new TextDecoder().decode(garbage))).toMatchObject({ type: 'error', code: 'WIRE_INVALID_FRAME' });
    });

    it('rejects a request for a protocol the peer does not serve', async () => {
      cluster = await factory(2);
      await connectAll(cluster);
      const [a, b] = cluster.transports as [Transport, Transport];
      await expect(a.request(b.self, '/nobody/1.0.0', new Uint8Array(1))).rejects.toMatchObject({ code: 'TRANSPORT_NO_HANDLER' });
    });

    it('refuses to send a frame over the size limit', async () => {
      cluster = await factory(2);
      await connectAll(cluster);
      const [a, b] = cluster.transports as [Transport, Transport];
      await expect(a.request(b.self, '/echo/1.0.0', new Uint8Array(MAX_FRAME_BYTES + 1))).rejects.toMatchObject({ code: 'TRANSPORT_FRAME_TOO_LARGE' });
      await expect(a.publish('/t/1', new Uint8Array(MAX_FRAME_BYTES + 1))).rejects.toMatchObject({ code: 'TRANSPORT_FRAME_TOO_LARGE' });
    });

    it('times out a request whose handler never answers', async () => {
      cluster = await factory(2);
      await connectAll(cluster);
      const [a, b] = cluster.transports as [Transport, Transport];
      b.handle('/slow/1.0.0', () => new Promise<Uint8Array>(() => undefined));
      const started = Date.now();
      await expect(a.request(b.self, '/slow/1.0.0', new Uint8Array(1), { timeoutMs: 300 })).rejects.toMatchObject({ code: 'TRANSPORT_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('after a timed-out request, the next one gets its own reply, not the late one', async () => {
      cluster = await factory(2);
      await connectAll(cluster);
      const [a, b] = cluster.transports as [Transport, Transport];
      serveEchoAfter(b, (text) => (text === 'late' ? 600 : 0));
      await expect(a.request(b.self, '/echo/1.0.0', encodeFrame({ type: 'echo', text: 'late' }), { timeoutMs: 300 })).rejects.toMatchObject({ code: 'TRANSPORT_TIMEOUT' });
      expect((await call(a, b.self, '/echo/1.0.0', { type: 'echo', text: 'next' }, Echo)).text).toBe('next');
    });

    it("a request on a reused stream gets the whole time limit, whenever the last one's limit comes due", async () => {
      cluster = await factory(2);
      await connectAll(cluster);
      const [a, b] = cluster.transports as [Transport, Transport];
      serveEchoAfter(b, () => 300);
      const ask = (text: string) => call(a, b.self, '/echo/1.0.0', { type: 'echo', text }, Echo, { timeoutMs: 600 });
      expect(await ask('zero')).toMatchObject({ text: 'zero' }); // opens the stream: its limit is what dialling left
      expect(await ask('one')).toMatchObject({ text: 'one' });
      // The first request's limit comes due while the second runs (started 400 ms after the first): not its own.
      await sleep(100);
      expect(await ask('two')).toMatchObject({ text: 'two' });
      // The second's comes due between requests, with none under way.
      await sleep(400);
      expect(await ask('three')).toMatchObject({ text: 'three' });
    });

    it('a reused stream whose last limit came due while it was idle still times out a late reply', async () => {
      cluster = await factory(2);
      await connectAll(cluster);
      const [a, b] = cluster.transports as [Transport, Transport];
      serveEchoAfter(b, (text) => (text === 'slow' ? 2_000 : 0));
      const ask = (text: string) => call(a, b.self, '/echo/1.0.0', { type: 'echo', text }, Echo, { timeoutMs: 300 });
      expect(await ask('first')).toMatchObject({ text: 'first' }); // opens the stream: its limit is what dialling left
      expect(await ask('fast')).toMatchObject({ text: 'fast' });
      await sleep(500); // its limit comes due, with nothing under way
      const started = Date.now();
      await expect(ask('slow')).rejects.toMatchObject({ code: 'TRANSPORT_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(1_500);
    });

    it('reports a killed peer as disconnected, and requests to it fail', async () => {
      cluster = await factory(2);
      await connectAll(cluster);
      const [a, b] = cluster.transports as [Transport, Transport];
      const bId = b.self;
      const events: PeerEvent[] = [];
      a.onPeerEvent((e) => events.push(e));
      await cluster.kill(1);
      await waitFor(() => events.some((e) => e.type === 'peer.disconnected' && e.peer === bId), 5_000, 'disconnect event');
      await expect(a.request(bId, '/echo/1.0.0', new Uint8Array(1), { timeoutMs: 1_000 })).rejects.toBeInstanceOf(TransportError);
    });
  });
}
