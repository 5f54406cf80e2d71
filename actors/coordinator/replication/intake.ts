// The receiving side of replication, on every peer: a document is kept only if newer than the one held
// (by term, then version), and a delta is stored once and folded into the cached merged results.
import type { Store, StoredDelta } from '../../../src/store/store.js';
import type { ExecutionDoc } from '../../../src/execution/contract.js';
import type { ResultsCache } from './results-cache.js';

export interface Intake {
  store: Store;
  results: ResultsCache;
}

/** True when this version was newer than the one held, and is now stored. */
export function acceptDoc({ store, results }: Intake, doc: ExecutionDoc): boolean {
  const written = store.putExecution({ execution_id: doc.execution_id, term: doc.term, version: doc.version, status: doc.status, created_at: doc.created_at, doc });
  if (written) results.docStored(doc);
  return written;
}

/** A delta belongs to the execution its run id names (`${execution}:${task}:${node}`). */
export function belongsTo(d: StoredDelta): boolean {
  const inner = d.delta as { run_id?: unknown; seq?: unknown };
  return d.run_id.startsWith(`${d.execution_id}:`) && inner.run_id === d.run_id && inner.seq === d.seq;
}

/** True when stored now; false when held already or not of the execution it claims. */
export function acceptDelta({ results }: Intake, d: StoredDelta): boolean {
  return belongsTo(d) && results.addDelta(d);
}

/** Documents and deltas pulled from a peer, in one transaction. Counts what was new. */
export function acceptAll(intake: Intake, docs: readonly ExecutionDoc[], deltas: readonly StoredDelta[]): { docs: number; deltas: number } {
  return intake.store.transaction(() => ({
    docs: docs.filter((doc) => acceptDoc(intake, doc)).length,
    deltas: deltas.filter((d) => acceptDelta(intake, d)).length,
  }));
}
