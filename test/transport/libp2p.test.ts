import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Libp2pTransport } from '../../src/transport/libp2p/transport.js';
import { silentLogger } from '../../src/util/log.js';
import { describe, expect, it } from 'vitest';
import { transportContract } from './contract.js';
import { waitFor } from '../../scripts/lib/peer-process.js';

transportContract('libp2p on 127.0.0.1', async (size) => {
  const dir = await mkdtemp(join(tmpdir(), 'mcpdt-transport-'));
  const transports = await Promise.all(
    Array.from({ length: size }, (_, i) =>
      Libp2pTransport.start({ dataDir: join(dir, String(i)), host: '127.0.0.1', port: 0, mdns: false, bootstrap: [], log: silentLogger }),
    ),
  );
  return {
    transports,
    connections: (i) => transports[i]!.node.getConnections().filter((c) => c.status === 'open').length,
    // Closing the node abruptly: the other side sees the TCP connection drop, as with a killed process.
    kill: async (i) => {
      const t = transports[i]!;
      for (const c of t.node.getConnections()) c.abort(new Error('killed'));
      await t.stop();
    },
    close: async () => {
      await Promise.all(transports.map((t) => t.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('libp2p round trips', () => {
  it('pings each connection and gives its round trip; a peer never pinged has none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mcpdt-rtt-'));
    const [a, b] = await Promise.all(
      [0, 1].map((i) => Libp2pTransport.start({ dataDir: join(dir, String(i)), host: '127.0.0.1', port: 0, mdns: false, bootstrap: [], log: silentLogger, pingIntervalMs: 200 })),
    );
    try {
      expect(a!.roundTripMs(b!.self)).toBeUndefined();
      a!.connect(b!.self, b!.addresses());
      await waitFor(() => a!.roundTripMs(b!.self) !== undefined && b!.roundTripMs(a!.self) !== undefined, 5_000, 'a ping each way');
      // On loopback a round trip is well under a second (a busy machine included).
      for (const rtt of [a!.roundTripMs(b!.self)!, b!.roundTripMs(a!.self)!]) expect(rtt).toBeGreaterThanOrEqual(0), expect(rtt).toBeLessThan(1_000);
      expect(a!.roundTripMs('12D3KooWNotAPeerAtAll')).toBeUndefined();
    } finally {
      await Promise.all([a!.stop(), b!.stop()]);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
