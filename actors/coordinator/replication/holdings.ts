// What this peer holds, read from its store: its digest, and the answer to another peer's digest.
import type { Store } from '../../../src/store/store.js';
import type { DigestEntry, DigestReply, DigestRequest } from '../../../src/protocol/peer-protocol.js';
import { UNFINISHED, answerScope, digestScope, isFinalStatus, runRanges, whatTheyLack, withinBudget, type Head } from './digest.js';
import { seqsOf } from './seq-ranges.js';

export interface HoldingLimits {
  /** Finished executions per digest, newest first (unfinished ones are always in). */
  digestLimit: number;
  /** Bytes of documents and deltas per answer (JSON text); the rest goes on the next round. */
  replyBudgetBytes: number;
}

function entryOf(store: Store, head: Head): DigestEntry {
  const runs = store
    .runSpans(head.execution_id)
    .map((span) => ({ run_id: span.run_id, ranges: runRanges(span, () => store.runSeqs(head.execution_id, span.run_id)) }));
  return { execution_id: head.execution_id, term: head.term, version: head.version, ...(isFinalStatus(head.status) ? { final: true } : {}), runs };
}

/**
 * This peer's digest: what it holds of its unfinished and newest executions; or, given `before`, a page of
 * the older ones (created before it).
 */
export function localDigest(store: Store, limits: HoldingLimits, before?: number): DigestRequest {
  const page = before !== undefined;
  const newest = store.newestHeads(UNFINISHED, limits.digestLimit, 0, before);
  const scope = digestScope(page ? [] : store.headsIn(UNFINISHED), newest, limits.digestLimit);
  return { since: scope.since, ...(page ? { before } : {}), entries: scope.heads.map((h) => entryOf(store, h)) };
}

/** What the asker lacks of what this peer holds, cut to the size budget (documents first). */
export function answerDigest(store: Store, request: DigestRequest, limits: HoldingLimits): DigestReply {
  const named = request.entries.map((e) => store.head(e.execution_id)).filter((h): h is Head => h !== undefined);
  const unfinished = request.before === undefined ? store.headsIn(UNFINISHED) : [];
  const scope = answerScope(unfinished, named, store.newestHeads(UNFINISHED, limits.digestLimit, request.since, request.before));
  const lack = whatTheyLack(request.entries, scope.map((h) => entryOf(store, h)));
  // Read lazily: of a large lack, only as much as the budget takes.
  function* items(): Generator<{ doc: string } | { delta: string; execution_id: string; run_id: string; seq: number }> {
    for (const id of lack.docs) {
      const stored = store.getExecution(id);
      if (stored) yield { doc: JSON.stringify(stored.doc) };
    }
    for (const missing of lack.deltas) {
      for (const seq of seqsOf(missing.ranges)) yield* store.deltaTexts(missing.execution_id, missing.run_id, seq, seq);
    }
  }
  const { taken, more } = withinBudget(items(), (i) => ('doc' in i ? i.doc.length : i.delta.length), limits.replyBudgetBytes);
  const reply: DigestReply = { docs: [], deltas: [], more };
  for (const i of taken) {
    if ('doc' in i) reply.docs.push(JSON.parse(i.doc) as DigestReply['docs'][number]);
    else reply.deltas.push({ execution_id: i.execution_id, run_id: i.run_id, seq: i.seq, delta: JSON.parse(i.delta) as DigestReply['deltas'][number]['delta'] });
  }
  return reply;
}
