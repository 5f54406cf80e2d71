// The peer's configuration: one validated object built from flags > environment > YAML file > defaults.
import { SQLITE_DRIVERS } from '../store/sqlite.js';
import { z } from 'zod';
import { MAX_FRAME_BYTES } from '../transport/transport.js';
import { parseAllowEntry } from '../guardrails/allow-list.js';
import { HealthMonitoringSchema } from './health-monitoring.js';
import { ResourceManagementSchema, ResourcesSchema } from './resources.js';

const port = z.number().int().min(0).max(65_535);
const seconds = z.number().positive().max(86_400);
const host = z.string().min(1).max(255);

/** A plan travels to every peer inside one wire frame: its bodies must leave room for the rest of it. */
export const BODY_BYTES_CEILING = MAX_FRAME_BYTES - 1024 * 1024;
const cap = z.number().int().positive();

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

export const ConfigSchema = z
  .object({
    orchestrator: z
      .object({
        host: host.default('127.0.0.1'),
        port: port.default(8080),
        log_level: z.enum(LOG_LEVELS).default('info'),
        max_concurrent_executions: z.number().int().positive().max(10_000).default(10),
        task_timeout: seconds.default(3_600),
      })
      .strict()
      .prefault({}),
    p2p: z
      .object({
        host: host.default('127.0.0.1'),
        port: port.default(4001),
        bootstrap: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
    discovery: z
      .object({
        mdns: z.boolean().default(true),
        broadcast_interval: seconds.default(5),
        suspect_timeout: seconds.optional(),
        dead_timeout: seconds.optional(),
        disconnect_grace: seconds.default(0.5),
        service_timeout: seconds.default(90),
      })
      .strict()
      .prefault({}),
    communication: z
      .object({
        heartbeat_interval: z.number().min(0.05).max(3_600).default(1),
        message_timeout: seconds.default(60),
      })
      .strict()
      .prefault({}),
    node: z
      .object({
        data_dir: z.string().min(1).default('.mcp-data'),
        capabilities: z.array(z.string().min(1)).default(['http_load']),
        location: z.string().min(1).default('local'),
        store_driver: z.enum(SQLITE_DRIVERS).default('auto'),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        max_rps: cap.max(10_000_000).default(100_000),
        max_duration: seconds.default(3_600),
        max_connections: cap.max(1_000_000).default(10_000),
        max_targets_per_task: cap.max(100_000).default(100),
        max_tasks_per_plan: cap.max(1_000).default(20),
        max_total_requests: cap.default(50_000_000),
        max_body_bytes: cap.max(BODY_BYTES_CEILING, `must be at most ${BODY_BYTES_CEILING} bytes: a plan travels in one wire frame of ${MAX_FRAME_BYTES} bytes`).default(1024 * 1024),
      })
      .strict()
      .prefault({}),
    security: z
      .object({
        allowed_targets: z.array(z.string().min(1).max(300)).max(10_000).default([]),
        api_token: z.string().min(16, 'must be at least 16 characters').max(512).optional(),
        cluster_key: z.string().min(1).optional(),
        cluster_key_file: z.string().min(1).optional(),
        insecure: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        /** Days an ended execution (its document, report and deltas) stays in the store; 0 keeps them forever. */
        retention: z.number().nonnegative().max(36_500).default(30),
      })
      .strict()
      .prefault({}),
    mcp: z
      .object({
        confirm_requests: z.number().int().nonnegative().default(100_000),
        confirm_rps: z.number().nonnegative().default(1_000),
      })
      .strict()
      .prefault({}),
    // Sections of the seed's mcp_config.yaml that later roles read; accepted as they are for now.
    load_generation: z
      .object({
        /** Worker threads that send load (0: on the main thread); default: the host's cores. */
        workers: z.number().int().min(0).max(256).optional(),
      })
      .catchall(z.unknown())
      .optional(),
    resource_management: ResourceManagementSchema.prefault({}),
    resources: ResourcesSchema.prefault({}),
    health_monitoring: HealthMonitoringSchema.prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    config.security.allowed_targets.forEach((raw, i) => {
      const entry = parseAllowEntry(raw);
      if (typeof entry === 'string') ctx.addIssue({ code: 'custom', path: ['security', 'allowed_targets', i], message: `${JSON.stringify(raw.slice(0, 80))}: ${entry}` });
    });
    const { suspect_timeout, dead_timeout } = config.discovery;
    if (suspect_timeout !== undefined && dead_timeout !== undefined && dead_timeout <= suspect_timeout) {
      ctx.addIssue({ code: 'custom', path: ['discovery', 'dead_timeout'], message: 'must be greater than discovery.suspect_timeout' });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;
