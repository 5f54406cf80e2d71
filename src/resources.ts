// Resources and allocations as they cross roles, the API and the wire: capacity per node, allocation
// requests, the allocation table the coordinator replicates. Types are inferred from the schemas.
import { z } from 'zod';

/** The built-in types and their unit; anything else is a custom resource counted in `units`. */
export const BUILTIN_UNITS = { cpu: 'cores', memory: 'bytes', disk: 'bytes', network: 'mbps' } as const;

const SCALE: Record<string, number> = {
  cores: 1, bytes: 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
  mbps: 1, gbps: 1000, units: 1,
};

export function unitOf(type: string): string {
  return (BUILTIN_UNITS as Record<string, string>)[type] ?? 'units';
}

/** An amount in the type's own unit (`16` GiB of memory → bytes). Undefined when the unit does not fit the type. */
export function toBaseUnit(type: string, amount: number, unit: string | undefined): number | undefined {
  const base = unitOf(type);
  if (unit === undefined || unit.toLowerCase() === base) return amount;
  const u = unit.toLowerCase();
  const byteUnits = ['b', 'kb', 'mb', 'gb', 'tb', 'kib', 'mib', 'gib', 'tib'];
  const fits = base === 'bytes' ? byteUnits.includes(u) : base === 'mbps' ? u === 'gbps' : false;
  return fits ? amount * SCALE[u]! : undefined;
}

export const ResourceSpecSchema = z.object({
  type: z.string().min(1).max(64).regex(/^[a-z][a-z0-9_]*$/, 'lowercase letters, digits and _'),
  amount: z.number().positive().finite(),
  unit: z.string().max(16).optional(),
});
export type ResourceSpec = z.infer<typeof ResourceSpecSchema>;

export const AllocationRequestSchema = z
  .object({
    allocation_id: z.string().min(1).max(128).optional(),
    requester_id: z.string().min(1).max(128).default('api'),
    resources: z.array(ResourceSpecSchema).min(1).max(32),
    priority: z.number().int().min(-1_000).max(1_000).default(0),
    /** Seconds until it is released by itself; none: until released. */
    ttl: z.number().positive().max(30 * 86_400).optional(),
    /** Seconds it may wait for room (default: resource_management.allocation_timeout). 0: do not wait. */
    timeout: z.number().min(0).max(3_600).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    r.resources.forEach((s, i) => {
      if (toBaseUnit(s.type, s.amount, s.unit) === undefined) ctx.addIssue({ code: 'custom', path: ['resources', i, 'unit'], message: `${s.unit} is not a unit of ${s.type} (${unitOf(s.type)})` });
    });
    const types = r.resources.map((s) => s.type);
    if (new Set(types).size !== types.length) ctx.addIssue({ code: 'custom', path: ['resources'], message: 'each type at most once' });
  });
export type AllocationRequest = z.infer<typeof AllocationRequestSchema>;

const amounts = z.record(z.string(), z.number().nonnegative());

export const AllocationSchema = z.object({
  allocation_id: z.string(),
  requester_id: z.string(),
  /** The peer that asked (through its API): its death releases the allocation. */
  holder: z.string(),
  resources: z.array(z.object({ type: z.string(), amount: z.number(), unit: z.string() })),
  priority: z.number().int(),
  ttl: z.number().nullable(),
  granted_at: z.number().int(),
  expires_at: z.number().int().nullable(),
  /** Where it sits: node → type → amount. */
  placement: z.record(z.string(), amounts),
});
export type Allocation = z.infer<typeof AllocationSchema>;

/** The coordinator's table, replicated to every peer; (term, seq) orders versions. */
export const PoolReplicaSchema = z.object({
  term: z.number().int().nonnegative(),
  seq: z.number().int().nonnegative(),
  allocations: z.array(AllocationSchema),
});
export type PoolReplica = z.infer<typeof PoolReplicaSchema>;

/** One ask of the coordinator for an allocation (amounts in base units); asked again until decided. */
export const AllocatePayload = z.object({
  allocation_id: z.string().min(1).max(128),
  requester_id: z.string().min(1).max(128),
  holder: z.string().min(1).max(128),
  priority: z.number().int(),
  ttl: z.number().positive().nullable(),
  resources: z.array(z.object({ type: z.string().min(1).max(64), amount: z.number().positive().finite() })).min(1).max(32),
  /** Epoch ms after which it is refused if it still does not fit. */
  deadline: z.number().int(),
});
export type AllocationAsk = z.infer<typeof AllocatePayload>;
export const ReleasePayload = z.object({ allocation_id: z.string().min(1).max(128) });

/** What a refused request lacked: per type, how much more was needed than could be had. */
export const ShortfallSchema = z.object({ type: z.string(), unit: z.string(), requested: z.number(), available: z.number(), missing: z.number() });
export type Shortfall = z.infer<typeof ShortfallSchema>;

export const AllocationOutcomeSchema = z.discriminatedUnion('granted', [
  z.object({ granted: z.literal(true), allocation: AllocationSchema }),
  z.object({ granted: z.literal(false), allocation_id: z.string(), reason: z.string(), shortfall: z.array(ShortfallSchema) }),
]);
export type AllocationOutcome = z.infer<typeof AllocationOutcomeSchema>;

/** The coordinator's answer to one ask: decided, or still waiting (ask again). */
export const AllocateReplySchema = z.union([AllocationOutcomeSchema, z.object({ waiting: z.literal(true) })]);
