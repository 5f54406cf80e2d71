import { MemoryNetwork } from '../../src/transport/memory.js';
import { transportContract } from './contract.js';

transportContract('in-memory', async (size) => {
  const network = new MemoryNetwork();
  const transports = Array.from({ length: size }, (_, i) => network.createTransport(`peer-${i}`));
  return {
    transports,
    connections: (i) => network.linksOf(transports[i]!.self).length,
    kill: async (i) => network.remove(transports[i]!.self),
    close: async () => {
      for (const t of transports) await t.stop();
    },
  };
});
