// The simplest implementations of the executions' replication and results ports, over the store and
// the messenger: what the coordinator did inline before. The replication module replaces them.
import type { PeerMessenger } from '../protocol/peer-messenger.js';
import type { Store, StoredDelta } from '../store/store.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import { mergeDelta, type LoadResults } from '../stats/index.js';
import type { ExecutionReport } from '../report/index.js';
import { parseRunId, type ExecutionDoc } from './contract.js';
import { mergedResults, reportFor } from './view.js';
import type { ExecutionReplication, ExecutionResults } from './ports.js';

/** Merged results kept per execution as deltas arrive (the most recently used ones). */
export class StoreResults implements ExecutionResults {
  static readonly KEEP = 64;
  readonly #store: Store;
  readonly #cache = new Map<string, LoadResults[]>();

  constructor(store: Store) {
    this.#store = store;
  }

  addDelta(d: StoredDelta): boolean {
    if (!this.#store.addDelta(d)) return false;
    const cached = this.#cache.get(d.execution_id);
    const { task } = parseRunId(d.run_id);
    if (cached?.[task]) cached[task] = mergeDelta(cached[task]!, d.delta);
    return true;
  }

  results(doc: ExecutionDoc): LoadResults[] {
    const cached = this.#cache.get(doc.execution_id) ?? mergedResults(doc, this.#store.deltas(doc.execution_id));
    // Most recently used last: the first ones are the first to go.
    this.#cache.delete(doc.execution_id);
    this.#cache.set(doc.execution_id, cached);
    for (const old of this.#cache.keys()) {
      if (this.#cache.size <= StoreResults.KEEP) break;
      this.#cache.delete(old);
    }
    return cached;
  }

  report(doc: ExecutionDoc, now: number): ExecutionReport {
    return reportFor(doc, this.results(doc), now);
  }
}

export interface StoreReplicationInit {
  store: Store;
  /** Every delta goes in through the results, so that their merged results stay up to date. */
  results: ExecutionResults;
  messenger: PeerMessenger;
  clock: Clock;
  log: Logger;
  /** Alive peers other than this one. */
  peers(): string[];
}

/** Changes of one moment are replicated together, this long after the first. */
const REPLICATE_DELAY_MS = 10;
const GATHER_DEADLINE_MS = 500;

export class StoreReplication implements ExecutionReplication {
  readonly #p: StoreReplicationInit;
  readonly #unsent = new Map<string, ExecutionDoc>();
  #timer: TimerHandle | undefined;

  constructor(init: StoreReplicationInit) {
    this.#p = init;
  }

  docChanged(doc: ExecutionDoc): void {
    // Behind the commands sent in the same moment, once per burst of changes.
    this.#unsent.set(doc.execution_id, doc);
    this.#timer ??= this.#p.clock.schedule(() => this.#flush(), REPLICATE_DELAY_MS);
  }

  deltaStored(d: StoredDelta): void {
    for (const peer of this.#p.peers()) this.#p.messenger.post(peer, 'execution.replicate-delta', d).catch(() => undefined);
  }

  /** Ask every peer for its replicas of unfinished executions; the store keeps the newest of each. */
  async gather(peers: string[]): Promise<void> {
    const { store, results, messenger, log } = this.#p;
    await Promise.all(
      peers.map(async (peer) => {
        try {
          const reply = await messenger.send(peer, 'execution.sync', {}, 'reliable', { deadlineMs: GATHER_DEADLINE_MS });
          store.transaction(() => {
            for (const doc of reply.docs) store.putExecution({ execution_id: doc.execution_id, term: doc.term, version: doc.version, status: doc.status, created_at: doc.created_at, doc });
            for (const d of reply.deltas) results.addDelta(d);
          });
        } catch (error) {
          log.warn('no replicas from peer', { peer, error });
        }
      }),
    );
  }

  #flush(): void {
    this.#timer = undefined;
    const docs = [...this.#unsent.values()];
    this.#unsent.clear();
    for (const doc of docs) {
      for (const peer of this.#p.peers()) this.#p.messenger.post(peer, 'execution.replicate', { doc }).catch(() => undefined);
    }
  }
}
