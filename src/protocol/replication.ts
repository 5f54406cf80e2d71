// The replication messages' shapes: a digest of what a peer holds, and the answer with what it lacks.
import { z } from 'zod';
import { ExecutionDocSchema, ReplicateDeltaPayload } from '../../actors/coordinator/execution.js';

const seq = z.number().int().positive();
/** Inclusive ranges of delta numbers held of one run. */
export const RunHolding = z.object({ run_id: z.string().min(1).max(512), ranges: z.array(z.tuple([seq, seq])).max(10_000) });
export const DigestEntry = z.object({
  execution_id: z.string().min(1).max(256),
  term: z.number().int().nonnegative(),
  version: z.number().int(),
  runs: z.array(RunHolding).max(4_096),
});
export type DigestEntry = z.infer<typeof DigestEntry>;
/** `since`: the oldest creation time the digest covers beyond the unfinished executions (0: all held). */
export const DigestRequest = z.object({ since: z.number().nonnegative(), entries: z.array(DigestEntry).max(1_024) });
export type DigestRequest = z.infer<typeof DigestRequest>;
/** `more`: the answer was cut to its size budget; ask again. */
export const DigestReply = z.object({ docs: z.array(ExecutionDocSchema), deltas: z.array(ReplicateDeltaPayload), more: z.boolean() });
export type DigestReply = z.infer<typeof DigestReply>;
