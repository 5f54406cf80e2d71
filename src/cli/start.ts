// `node peer.js`: start one peer, print how to reach it, stop gracefully on SIGINT/SIGTERM.
import type { Config } from '../config/schema.js';
import { startPeer } from '../peer.js';
import { ConfigError } from '../config/load.js';
import { EXIT } from './exit-codes.js';
import { DataDirLockedError } from '../security/data-dir-lock.js';
import type { Logger } from '../util/log.js';

const STOP_DEADLINE_MS = 2_000;

export async function runPeer(config: Config, log: Logger): Promise<number> {
  let peer;
  try {
    peer = await startPeer(config, { log });
  } catch (error) {
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
