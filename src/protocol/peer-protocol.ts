// Every direct message between peers, declared once: a versioned kind, the schema of its request and
// of its reply. Types are inferred from the schemas; the typed messenger (peer-messenger.ts) validates
// requests on receipt and replies on return, so a handler only ever sees a valid payload.
import { z } from 'zod';
import { ExecutionDocSchema, ExecutionIdSchema, ExecutionStatusSchema, NodeIdSchema, TermSchema } from '../execution/contract.js';
import { SegmentSchema } from '../execution/segment.js';
import { ShareVerdictSchema } from '../execution/share-lease.js';
import { ResultsDeltaSchema } from '../stats/delta.js';
import { AllocatePayload, AllocateReplySchema, PoolReplicaSchema, ReleasePayload } from '../resources.js';

interface KindSpec<Req extends z.ZodType, Rep extends z.ZodType> {
  /** The name on the wire: `domain.verb/version`. A change of shape is a new version. */
  readonly wire: string;
  readonly request: Req;
  readonly reply: Rep;
}

function kind<Req extends z.ZodType, Rep extends z.ZodType>(name: string, version: number, request: Req, reply: Rep): KindSpec<Req, Rep> {
  return { wire: `${name}/${version}`, request, reply };
}

/** A stored results delta: one (execution, run, seq), as replicas hold it. */
export const StoredDeltaSchema = z.object({
  execution_id: ExecutionIdSchema,
  run_id: z.string().min(1).max(512),
  seq: z.number().int().positive(),
  delta: ResultsDeltaSchema,
});
export type StoredDeltaMessage = z.infer<typeof StoredDeltaSchema>;

export const AssignRequest = z.object({
  execution_id: ExecutionIdSchema,
  term: TermSchema,
  name: z.string().max(1_000),
  /** The plan as submitted: the generator validates it for itself. */
  plan: z.unknown(),
  segment: SegmentSchema,
  /** The agreed start, epoch ms. */
  start_at: z.number(),
});
export type AssignRequest = z.infer<typeof AssignRequest>;

/** `version` orders resegments of one execution: a generator applies only newer ones. */
export const ResegmentRequest = z.object({ execution_id: ExecutionIdSchema, term: TermSchema, version: z.number().int(), segment: SegmentSchema, at: z.number() });
export type ResegmentRequest = z.infer<typeof ResegmentRequest>;

export const StopRequest = z.object({ execution_id: ExecutionIdSchema, term: TermSchema });
export type StopRequest = z.infer<typeof StopRequest>;

export const DeltaRequest = z.object({ execution_id: ExecutionIdSchema, task: z.number().int().nonnegative().max(10_000), node_id: NodeIdSchema, delta: ResultsDeltaSchema });
export type DeltaRequest = z.infer<typeof DeltaRequest>;
/** A generator's word with nothing new to report: it still drives its share of this execution. */
export const RenewRequest = z.object({ execution_id: ExecutionIdSchema, node_id: NodeIdSchema });
/** The coordinator's answer to a delta or a renewal: the execution's status and its verdict on the sender's share (share-lease.ts). */
export const ShareReply = z.object({
  status: z.union([ExecutionStatusSchema, z.literal('unknown')]),
  share: ShareVerdictSchema,
  /** With `moved`: when the share stopped being the sender's (epoch ms); its arrivals due from then on were others'. */
  moved_at: z.number().optional(),
});
export type ShareReply = z.infer<typeof ShareReply>;

const seq = z.number().int().positive();
/** Anti-entropy: what a peer holds of one execution (each run's delta numbers as inclusive ranges). */
export const DigestEntry = z.object({
  execution_id: ExecutionIdSchema,
  term: TermSchema,
  version: z.number().int().nonnegative(),
  /** The execution had ended in this version: it then comes after any unfinished one (replication/digest.ts). Absent: unfinished. */
  final: z.boolean().optional(),
  runs: z.array(z.object({ run_id: z.string().min(1).max(512), ranges: z.array(z.tuple([seq, seq])).max(10_000) })).max(4_096),
});
export type DigestEntry = z.infer<typeof DigestEntry>;
/**
 * The digest covers executions created in [since, before) and every unfinished one; `before` absent: the
 * newest ones. A page of older history names `before` (and leaves the unfinished ones out).
 */
export const DigestRequest = z.object({ since: z.number().nonnegative(), before: z.number().positive().optional(), entries: z.array(DigestEntry).max(1_024) });
export type DigestRequest = z.infer<typeof DigestRequest>;
/** What the asker lacks; `more`: cut to the answer's size budget, ask again. */
export const DigestReply = z.object({ docs: z.array(ExecutionDocSchema), deltas: z.array(StoredDeltaSchema), more: z.boolean() });
export type DigestReply = z.infer<typeof DigestReply>;

export const PEER_PROTOCOL = {
  /** Any peer hands a submitted plan to the coordinator; the reply is the coordinator's first version. */
  'execution.submit': kind('execution.submit', 1, z.object({ execution_id: ExecutionIdSchema, plan: z.unknown() }), z.object({ doc: ExecutionDocSchema.nullable() })),
  'execution.cancel': kind('execution.cancel', 1, z.object({ execution_id: ExecutionIdSchema }), z.object({ status: ExecutionStatusSchema })),
  /** Anti-entropy, and a new coordinator's gathering: here is what I hold; answer with what I lack. */
  'replication.digest': kind('replication.digest', 1, DigestRequest, DigestReply),
  'execution.replicate': kind('execution.replicate', 1, z.object({ doc: ExecutionDocSchema }), z.object({ stored: z.boolean() })),
  'execution.replicate-delta': kind('execution.replicate-delta', 1, StoredDeltaSchema, z.object({ stored: z.boolean() })),
  /** Coordinator → generator: run a share of an execution, from the agreed start. */
  'task.assign': kind('task.assign', 1, AssignRequest, z.object({ accepted: z.literal(true) })),
  'task.resegment': kind('task.resegment', 1, ResegmentRequest, z.object({ accepted: z.boolean() })),
  'task.stop': kind('task.stop', 1, StopRequest, z.object({ stopped: z.boolean() })),
  /** Generator → coordinator: a numbered results delta; the reply tells the execution's status and whether the share is still the sender's. */
  'results.delta': kind('results.delta', 2, DeltaRequest, ShareReply),
  /** Generator → coordinator, every RENEW_MS with nothing new to send: the same verdict, which renews its lease. */
  'share.renew': kind('share.renew', 1, RenewRequest, ShareReply),
  /** Any peer → coordinator: an allocation, asked again until decided (idempotent by allocation_id). */
  'resources.allocate': kind('resources.allocate', 1, AllocatePayload, AllocateReplySchema),
  'resources.release': kind('resources.release', 1, ReleasePayload, z.object({ released: z.boolean() })),
  /** Coordinator → every peer: the allocation table after each change. */
  'resources.replicate': kind('resources.replicate', 1, PoolReplicaSchema, z.object({ stored: z.boolean() })),
  /** A new coordinator gathers the others' tables. */
  'resources.sync': kind('resources.sync', 1, z.object({}), PoolReplicaSchema),
} as const;

export type PeerKind = keyof typeof PEER_PROTOCOL;
/** What a sender passes (before defaults). */
export type RequestOf<K extends PeerKind> = z.input<(typeof PEER_PROTOCOL)[K]['request']>;
/** What a handler receives (validated). */
export type ReceivedRequest<K extends PeerKind> = z.output<(typeof PEER_PROTOCOL)[K]['request']>;
/** What a handler answers. */
export type ReplyIn<K extends PeerKind> = z.input<(typeof PEER_PROTOCOL)[K]['reply']>;
/** What a sender gets back (validated). */
export type ReplyOf<K extends PeerKind> = z.output<(typeof PEER_PROTOCOL)[K]['reply']>;
