// Part of the composition root (src/peer.ts): what a peer opens first. The data folder (locked), its
// store and the election state in it, and libp2p, each closed again if a later one fails.
import { resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { securityAtStart } from '../security/at-start.js';
import { lockDataDir } from '../security/data-dir-lock.js';
import { Store } from '../store/store.js';
import { loadElectionState } from '../store/election-state.js';
import { Libp2pTransport } from '../transport/libp2p/transport.js';
import type { Logger } from '../util/log.js';

/** The data folder (locked), its store, and libp2p; each closed again if a later one fails. */
export async function openStoreAndTransport(config: Config, log: Logger) {
  const security = securityAtStart(config);
  for (const warning of security.warnings) log.warn(warning);
  const dataDir = resolve(config.node.data_dir);
  const lock = lockDataDir(dataDir, config.node.store_driver);
  let store: Store | undefined;
  try {
    store = Store.open(dataDir, { driver: config.node.store_driver, onDamaged: (execution, error) => log.warn('damaged execution skipped', { execution, error }) });
    loadElectionState(store); // a damaged vote stops the start here, with the file named
  } catch (error) {
    store?.close();
    lock.release();
    throw error;
  }
  try {
    const transport = await Libp2pTransport.start({
      dataDir,
      host: config.p2p.host,
      port: config.p2p.port,
      mdns: config.discovery.mdns,
      mdnsIntervalMs: config.discovery.broadcast_interval * 1_000,
      bootstrap: config.p2p.bootstrap,
      log: log.child('transport'),
      ...(security.psk ? { psk: security.psk } : {}),
    });
    return { lock, store, transport, dataDir };
  } catch (error) {
    store.close();
    lock.release();
    throw error;
  }
}
