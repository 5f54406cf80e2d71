// What a plan would do on the cluster as it is now: how each task is split across the alive
// generators, how many requests it is expected to send and at what peak rate. Pure.
import { z } from 'zod';
import type { Segment } from '../execution/segment.js';
import { isLoadLike, type LoadLikeTask, type LoadTask, type Plan } from '../plan/index.js';
import type { ClusterNode } from './cluster-client.js';

/** The roles' own pure rules, handed in by the composition root: the same ones the cluster applies. */
export interface Planner {
  /** The peers that would generate load, in the coordinator's order. */
  generators(nodes: readonly ClusterNode[]): string[];
  split(generators: readonly string[]): Map<string, Segment>;
  /** Arrivals an open-model task plans over its whole duration. */
  arrivals(task: LoadTask): number;
  /** Users a segment of a closed-model task takes. */
  users(segment: Segment, users: number): number;
}

export const DryRunSchema = z.object({
  generators: z.array(z.string()).describe('alive peers with the http_load capability, which would share the load'),
  duration_s: z.number(),
  expected_total_requests: z.number().int().nullable().describe('null when a task uses the closed model, whose volume depends on the target'),
  peak_rps: z.number().nullable().describe('the highest planned arrival rate of all tasks together; null for a closed model'),
  max_connections: z.number().int().describe('connections the generators may open to the targets in total'),
  tasks: z.array(
    z.object({
      index: z.number().int(),
      model: z.enum(['open', 'closed']),
      pattern: z.string(),
      duration_s: z.number(),
      expected_requests: z.number().int().nullable(),
      peak_rps: z.number().nullable(),
      concurrent_users: z.number().int().nullable(),
      targets: z.array(z.string()),
      shares: z.array(z.object({ node_id: z.string(), segment: z.object({ from: z.number(), to: z.number() }), expected_requests: z.number().int().nullable(), users: z.number().int().nullable() })),
    }),
  ),
});
export type DryRun = z.infer<typeof DryRunSchema>;

const round = (x: number) => Math.round(x * 1000) / 1000;

export function dryRun(plan: Plan, nodes: readonly ClusterNode[], planner: Planner): DryRun {
  const generators = planner.generators(nodes);
  const segments = planner.split(generators);
  // A security_test sends no load: its probes are bounded by their own rate and count.
  const loads = plan.tasks.flatMap((task, index) => (isLoadLike(task) ? [{ task, index }] : []));
  const tasks = loads.map(({ task, index }: { task: LoadLikeTask; index: number }) => {
    const p = task.parameters;
    const open = p.model === 'open';
    const expected = open ? planner.arrivals(p) : null;
    const peak = open ? Math.max(p.base_rps, p.pattern === 'stages' ? Math.max(...(p.stages ?? []).map((s) => s.target)) : p.peak_rps) : null;
    return {
      index,
      model: p.model,
      pattern: p.pattern,
      duration_s: p.duration,
      expected_requests: expected,
      peak_rps: peak === null ? null : round(peak),
      concurrent_users: open ? null : p.concurrent_users,
      targets: p.targets.map((t) => `${t.method} ${t.url}`),
      shares: [...segments].map(([node_id, segment]) => {
        const users = open ? null : planner.users(segment, p.concurrent_users);
        return { node_id, segment, expected_requests: expected === null ? null : Math.round(expected * (segment.to - segment.from)), users };
      }),
    };
  });
  const closed = tasks.some((t) => t.model === 'closed');
  return {
    generators,
    duration_s: Math.max(0, ...tasks.map((t) => t.duration_s)),
    expected_total_requests: closed ? null : tasks.reduce((sum, t) => sum + (t.expected_requests ?? 0), 0),
    // Tasks run together, so their peaks may coincide.
    peak_rps: closed ? null : round(tasks.reduce((sum, t) => sum + (t.peak_rps ?? 0), 0)),
    // Pools are per origin and per generator.
    max_connections: loads.reduce((sum, { task: t }) => sum + t.parameters.connections * new Set(t.parameters.targets.map((x) => new URL(x.url).origin)).size * generators.length, 0),
    tasks,
  };
}
