// The peer's configuration: one validated object built from flags > environment > YAML file > defaults.
import { z } from 'zod';
import { HealthMonitoringSchema } from './health-monitoring.js';
import { ResourceManagementSchema, ResourcesSchema } from './resources.js';

const port = z.number().int().min(0).max(65_535);
const seconds = z.number().positive().max(86_400);
const host = z.string().min(1).max(255);

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

export const ConfigSchema = z
  .object({
    orchestrator: z
      .object({
        host: host.default('127.0.0.1'),
        port: port.default(8080),
        log_level: z.enum(LOG_LEVELS).default('info'),
        max_concurrent_executions: z.number().int().positive().default(10),
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
      })
      .strict()
      .prefault({}),
    // Sections of the seed's mcp_config.yaml that later roles read; accepted as they are for now.
    load_generation: z.record(z.string(), z.unknown()).optional(),
    resource_management: ResourceManagementSchema.prefault({}),
    resources: ResourcesSchema.prefault({}),
    health_monitoring: HealthMonitoringSchema.prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const { suspect_timeout, dead_timeout } = config.discovery;
    if (suspect_timeout !== undefined && dead_timeout !== undefined && dead_timeout <= suspect_timeout) {
      ctx.addIssue({ code: 'custom', path: ['discovery', 'dead_timeout'], message: 'must be greater than discovery.suspect_timeout' });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;
