// `node peer.js`: start one peer, print how to reach it, stop gracefully on SIGINT/SIGTERM. The status
// port listens first, before the peer's modules (libp2p, every role) are even loaded: /api/health answers
// "starting" from then on, and "ok" once the peer is up (src/http/starting.ts).
import type { Config } from '../config/schema.js';
import { ConfigError } from '../config/load.js';
import { openStatusPort } from '../http/starting.js';
import type { StatusServer } from '../http/server.js';
import { EXIT } from './exit-codes.js';
import { DataDirLockedError } from '../security/data-dir-lock.js';
import type { Logger } from '../util/log.js';

const STOP_DEADLINE_MS = 2_000;

export async function runPeer(config: Config, log: Logger): Promise<number> {
  let peer;
  let status: StatusServer | undefined;
  try {
    status = await openStatusPort(config, log);
    const { startPeer } = await import('../peer.js');
    peer = await startPeer(config, { log, status, ownsProcess: true });
  } catch (error) {
    await status?.close(); // (startPeer closes it too when it fails: closing twice is harmless)
    if (error instanceof DataDirLockedError) {
      process.stderr.write(`cannot start the peer: ${error.message}\n`);
      return EXIT.FAILURE;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`cannot start the peer: ${error.message}\n`);
      return EXIT.INVALID;
    }
    log.error('cannot start the peer', { error });
    return 1;
  }
  // A stray rejection is a bug to log, not a reason to take the peer down.
  process.on('unhandledRejection', (error) => log.error('unhandled rejection', { error }));
  process.stdout.write(`peer ${peer.id} listening on ${peer.addresses().join(' ')} status ${peer.httpUrl}\n`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info('stopping', { signal });
  const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_DEADLINE_MS).unref());
  const outcome = await Promise.race([peer.stop().then(() => 'stopped' as const), deadline]);
  if (outcome === 'timeout') log.warn('graceful stop took too long; exiting anyway');
  return 0;
}
