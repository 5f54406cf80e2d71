// The store's retention: ended executions older than the configured number of days are deleted (their
// document, report and deltas) at start and then hourly, so that the data directory does not only grow.
// Running executions are never touched; a replica with a longer retention may send an old one back.
import { FINAL_STATUSES } from '../execution/contract.js';
import type { Logger } from '../util/log.js';
import type { Clock } from '../util/clock.js';
import type { Store } from './store.js';

const DAY_MS = 86_400_000;
export const PRUNE_EVERY_MS = 3_600_000;

export interface Retention {
  /** Deletes what is past the retention now; returns how many executions went. */
  prune(): number;
  close(): void;
}

/** `days` 0 keeps everything (prune does nothing). */
export function startRetention(store: Store, days: number, clock: Clock, log: Logger): Retention {
  const prune = (): number => {
    if (days <= 0) return 0;
    try {
      const gone = store.prune(FINAL_STATUSES, clock.now() - days * DAY_MS);
      if (gone > 0) log.info('ended executions past the retention deleted', { executions: gone, retention_days: days });
      return gone;
    } catch (error) {
      log.warn('store retention failed', { error: String(error) });
      return 0;
    }
  };
  prune();
  // Unreferenced: the hourly sweep never keeps a process alive by itself (a start that failed later).
  const timer = days > 0 ? setInterval(prune, PRUNE_EVERY_MS).unref() : undefined;
  return {
    prune,
    close: () => clearInterval(timer),
  };
}
