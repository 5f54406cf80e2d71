// The one narrow way the MCP surface reaches the cluster: in process (the peer's own sources, the same
// ones the REST routes use) or over a running peer's REST API. Shapes are declared once, here, as zod
// schemas: the HTTP client validates what it receives with them, the local one is type-checked against them.
import { z } from 'zod';
import type { ExecutionReport } from '../report/index.js';

const iso = z.string();

export const NodeSchema = z
  .object({
    node_id: z.string(),
    status: z.enum(['alive', 'suspect', 'dead']),
    http_url: z.string(),
    roles: z.array(z.string()),
    capabilities: z.array(z.string()),
    location: z.string(),
    version: z.string(),
    last_seen: iso,
    is_self: z.boolean(),
    is_coordinator: z.boolean(),
  })
  .passthrough();
export type ClusterNode = z.infer<typeof NodeSchema>;

export const ClusterStatusSchema = z.object({
  /** The peer answering. */
  node_id: z.string(),
  coordinator: z.string().nullable(),
  term: z.number().nullable(),
  nodes: z.array(NodeSchema),
});
export type ClusterStatus = z.infer<typeof ClusterStatusSchema>;

export const EXECUTION_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;

export const ExecutionSummarySchema = z.object({
  execution_id: z.string(),
  name: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  progress_percent: z.number(),
  created_at: iso,
  coordinator: z.string(),
  term: z.number(),
});
export type ExecutionSummary = z.infer<typeof ExecutionSummarySchema>;

/** The report as the REST API serves it (built by the coordinator's results view); checked for its summary. */
export const ReportSchema = z.custom<ExecutionReport>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { summary?: unknown }).summary === 'object' && Array.isArray((v as { thresholds?: unknown }).thresholds),
  { message: 'expected a report with a summary and thresholds' },
);

export const ExecutionViewSchema = ExecutionSummarySchema.extend({
  start_at: iso.nullable(),
  finished_at: iso.nullable(),
  error: z.string().nullable(),
  plan: z.unknown(),
  nodes: z.array(
    z.object({
      node_id: z.string(),
      state: z.string(),
      segment: z.object({ from: z.number(), to: z.number() }),
      total_requests: z.number(),
    }).passthrough(),
  ),
  report: ReportSchema,
});
export type ExecutionView = z.infer<typeof ExecutionViewSchema>;

export interface ClusterClient {
  /** Where it reaches the cluster, for messages (`in-process peer 12D3…` or a URL). */
  readonly describe: string;
  status(): Promise<ClusterStatus>;
  /** Hands a plan to the coordinator; throws ValidationError (every problem) or McpError (NO_COORDINATOR…). */
  submit(plan: unknown): Promise<{ execution_id: string }>;
  /** Throws McpError EXECUTION_NOT_FOUND. */
  get(executionId: string): Promise<ExecutionView>;
  list(): Promise<ExecutionSummary[]>;
  cancel(executionId: string): Promise<{ execution_id: string; status: string }>;
}
