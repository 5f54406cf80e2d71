// Yamux window updates: a real YamuxStream fed data frames, its outgoing frames recorded; then two real
// libp2p transports on loopback moving frames larger than the window both ways.
import { describe, expect, it, afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Uint8ArrayList } from 'uint8arraylist';
import { defaultLogger } from '@libp2p/logger';
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream';
import { lazyWindowUpdates } from '../../src/transport/libp2p/lazy-window-updates.js';
import { Libp2pTransport } from '../../src/transport/libp2p/transport.js';
import { silentLogger } from '../../src/util/log.js';
import { waitFor } from '../../scripts/lib/peer-process.js';

const WINDOW = 256 * 1024;
/** Yamux frame types (the spec's numbers; the package does not export them). */
const FrameType = { Data: 0, WindowUpdate: 1 } as const;
interface FrameHeader {
  type: number;
  flag: number;
  streamID: number;
  length: number;
}

function stream(state: StreamState) {
  const sent: FrameHeader[] = [];
  const s = new YamuxStream({
    id: '1',
    streamId: 1,
    state,
    direction: 'inbound',
    log: defaultLogger().forComponent('test:yamux'),
    getRTT: () => -1,
    sendFrame: (header: FrameHeader) => (sent.push(header), true),
  } as ConstructorParameters<typeof YamuxStream>[0]);
  const data = (bytes: number) => s.handleData({ header: { type: FrameType.Data, flag: 0, streamID: 1, length: bytes, version: 0 }, data: new Uint8ArrayList(new Uint8Array(bytes)) } as Parameters<YamuxStream['handleData']>[0]);
  const updates = () => sent.filter((h) => h.type === FrameType.WindowUpdate);
  return { s, data, updates };
}

describe('yamux window updates, lazily', () => {
  lazyWindowUpdates();

  it('no update for small messages; one, giving the whole used part back, once half the window is used', () => {
    const { data, updates } = stream(StreamState.Established);
    for (let i = 0; i < 100; i++) data(500);
    expect(updates()).toEqual([]);
    data(WINDOW / 2 - 100 * 500);
    expect(updates()).toMatchObject([{ length: WINDOW / 2 }]);
    data(500);
    expect(updates()).toHaveLength(1);
  });

  it('the opening of a stream still answers at once (ACK)', () => {
    const { data, updates } = stream(StreamState.SYNReceived);
    data(100);
    expect(updates()).toHaveLength(1);
  });

  describe('on real transports', () => {
    const stops: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const stop of stops.splice(0)) await stop();
    });

    it('frames of several windows go both ways, and many small ones after them', async () => {
      const peers: Libp2pTransport[] = [];
      for (let i = 0; i < 2; i++) {
        const dataDir = await mkdtemp(join(tmpdir(), 'mcpdt-yamux-'));
        const t = await Libp2pTransport.start({ dataDir, host: '127.0.0.1', port: 0, mdns: false, bootstrap: [], log: silentLogger });
        stops.push(async () => (await t.stop(), await rm(dataDir, { recursive: true, force: true })));
        peers.push(t);
      }
      const [a, b] = peers as [Libp2pTransport, Libp2pTransport];
      b.handle('/test/echo/1.0.0', ({ data }) => data.slice().reverse());
      a.connect(b.self, b.addresses());
      b.connect(a.self, a.addresses());
      await waitFor(() => a.connectedPeers().includes(b.self), 10_000, 'a connection');
      const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
      for (let round = 0; round < 3; round++) {
        const reply = await a.request(b.self, '/test/echo/1.0.0', big, { timeoutMs: 20_000 });
        expect(reply.length).toBe(big.length);
        expect(reply[0]).toBe(big[big.length - 1]);
      }
      for (let i = 0; i < 300; i++) expect((await a.request(b.self, '/test/echo/1.0.0', new Uint8Array([i % 256, 1]))).length).toBe(2);
    }, 60_000);
  });
});
