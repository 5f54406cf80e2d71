import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Libp2pTransport } from '../../src/transport/libp2p/transport.js';
import { silentLogger } from '../../src/util/log.js';
import { transportContract } from './contract.js';

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
