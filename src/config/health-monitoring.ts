// The `health_monitoring` section: sampling, alert thresholds (the seed's names), custom checks, and
// the bounds past which a generator counts as saturated.
import { z } from 'zod';

const percent = z.number().min(0).max(100);
const seconds = z.number().positive().max(86_400);

const CheckBase = { name: z.string().min(1).max(128), interval: seconds.default(30), timeout: seconds.default(5) };

export const CheckConfigSchema = z.discriminatedUnion('type', [
  z
    .object({
      ...CheckBase,
      type: z.literal('http'),
      url: z.url({ protocol: /^https?$/ }),
      method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
      expected_status: z.union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)]).default(200).transform((s) => (Array.isArray(s) ? s : [s])),
    })
    .strict(),
  z.object({ ...CheckBase, type: z.literal('tcp'), host: z.string().min(1).max(255), port: z.number().int().min(1).max(65_535) }).strict(),
]);

export const HealthMonitoringSchema = z
  .object({
    check_interval: seconds.default(5),
    /** Consecutive breaching samples before an alert is raised. */
    alert_threshold: z.number().int().positive().max(1_000).default(3),
    alert_thresholds: z
      .object({
        cpu_warning: percent.default(80),
        cpu_critical: percent.default(95),
        memory_warning: percent.default(85),
        memory_critical: percent.default(95),
        disk_warning: percent.default(80),
        disk_critical: percent.default(95),
        event_loop_delay_warning_ms: z.number().positive().default(100),
        event_loop_delay_critical_ms: z.number().positive().default(500),
      })
      .strict()
      .prefault({}),
    checks: z.array(CheckConfigSchema).max(64).default([]),
    saturation: z
      .object({
        event_loop_utilization: z.number().gt(0).max(1).default(0.9),
        event_loop_delay_ms: z.number().positive().default(100),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((h, ctx) => {
    const t = h.alert_thresholds;
    for (const m of ['cpu', 'memory', 'disk'] as const) {
      if (t[`${m}_critical`] < t[`${m}_warning`]) ctx.addIssue({ code: 'custom', path: ['alert_thresholds', `${m}_critical`], message: `must be at least ${m}_warning` });
    }
    if (t.event_loop_delay_critical_ms < t.event_loop_delay_warning_ms) {
      ctx.addIssue({ code: 'custom', path: ['alert_thresholds', 'event_loop_delay_critical_ms'], message: 'must be at least event_loop_delay_warning_ms' });
    }
    const names = new Set<string>();
    h.checks.forEach((c, i) => {
      if (names.has(c.name)) ctx.addIssue({ code: 'custom', path: ['checks', i, 'name'], message: `duplicate check name ${c.name}` });
      names.add(c.name);
    });
  });
export type HealthMonitoringConfig = z.infer<typeof HealthMonitoringSchema>;
