// The `resources` section (what this peer offers: detected figures overridden, custom resources) and
// `resource_management` (allocation timeout, ttl cleanup, capacity announcements).
import { z } from 'zod';

const seconds = z.number().positive().max(86_400);

export const ResourcesSchema = z
  .object({
    cpu_cores: z.number().positive().optional(),
    memory_bytes: z.number().positive().optional(),
    disk_bytes: z.number().nonnegative().optional(),
    network_mbps: z.number().nonnegative().optional(),
    custom: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'lowercase letters, digits and _').max(64), z.number().nonnegative()).default({}),
  })
  .strict()
  .superRefine((r, ctx) => {
    for (const name of Object.keys(r.custom)) {
      if (['cpu', 'memory', 'disk', 'network'].includes(name)) ctx.addIssue({ code: 'custom', path: ['custom', name], message: `${name} is built in: set ${name === 'cpu' ? 'cpu_cores' : name === 'network' ? 'network_mbps' : `${name}_bytes`} instead` });
    }
  });

export const ResourceManagementSchema = z
  .object({
    /** Seconds a request may wait for room before it is refused. */
    allocation_timeout: z.number().min(0).max(3_600).default(60),
    /** Seconds between sweeps of expired allocations (ttl). */
    cleanup_interval: seconds.default(300),
    /** Seconds between announcements of this peer's capacity (it is also announced whenever a member joins). */
    monitoring_interval: seconds.default(30),
    /** Default strategy of workloads that name none. */
    default_strategy: z.enum(['round_robin', 'least_loaded', 'capability_based', 'locality_aware', 'weighted', 'adaptive']).default('least_loaded'),
  })
  .strict();
