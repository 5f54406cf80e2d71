// A typed client of a peer's REST API: what the seed's MCPTestOrchestrator and ServiceDiscovery offered
// (submit_test_execution, get_execution_status, cancel_execution, query_services), over HTTP to any peer.
import type { z } from 'zod';
import { HttpError, McpError } from '../errors.js';
import type { ExecutionReport } from '../report/index.js';
import type { PlanInput, WorkloadInput } from './plan-input.js';
import type { AllocationRequestSchema } from '../resources.js';
import type { NodeView } from '../http/routes/cluster.js';

/** `POST /api/allocations`' body as written. */
export type AllocationRequestInput = z.input<typeof AllocationRequestSchema>;

export type ExecutionStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

/** `GET /api/health`. */
export interface Health {
  status: 'ok';
  node_id: string;
  version: string;
  uptime_s: number;
  coordinator: string | null;
  term: number | null;
  /** Alive members, this peer included. */
  members: number;
}

/** One member of `GET /api/nodes`: the route's view of a node, and whether it is the coordinator. */
export type NodeInfo = NodeView & { is_coordinator: boolean };

export interface MemberFilter {
  status?: 'alive' | 'suspect' | 'dead';
  capability?: string;
  location?: string;
}

/** One row of `GET /api/executions`. */
export interface ExecutionSummary {
  execution_id: string;
  name: string;
  status: ExecutionStatus;
  progress_percent: number;
  created_at: string;
  coordinator: string;
  term: number;
}

/** `GET /api/executions/{id}`: the execution with its live merged report. */
export interface Execution extends ExecutionSummary {
  start_at: string | null;
  finished_at: string | null;
  error: string | null;
  plan: unknown;
  nodes: { node_id: string; state: string; segment: unknown; reason: string | null; assign_rtt_ms: number | null; total_requests: number }[];
  report: ExecutionReport | null;
}

/** An answer of the API other than 2xx: `{ error: { code, message, details } }` with its HTTP status. */
export class ApiError extends HttpError {
  override name = 'ApiError';
}

export interface ClusterClientOptions {
  /** Sent as `Authorization: Bearer <token>` when the peers require an API token. */
  token?: string;
  /** Per request, milliseconds (default 10 000). */
  timeoutMs?: number;
}

const ENDED: readonly ExecutionStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * Talks to one peer of a cluster; any peer accepts every call (it forwards submissions to the coordinator
 * and answers reads from its replica).
 *
 * ```ts
 * const cluster = new ClusterClient('http://127.0.0.1:8080');
 * const id = await cluster.submitExecution(plan);
 * const done = await cluster.waitForExecution(id);
 * ```
 */
export class ClusterClient {
  readonly baseUrl: string;
  readonly #options: ClusterClientOptions;

  constructor(baseUrl: string, options: ClusterClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#options = options;
  }

  /** The peer's health: its id, the coordinator it knows, how many members are alive. */
  health(): Promise<Health> {
    return this.#request('GET', '/api/health');
  }

  /** The members this peer knows, optionally filtered (the seed's `query_services`). */
  async members(filter: MemberFilter = {}): Promise<NodeInfo[]> {
    const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]).toString();
    const body = await this.#request<{ nodes: NodeInfo[] }>('GET', `/api/nodes${query ? `?${query}` : ''}`);
    return body.nodes;
  }

  /**
   * Submits a plan (as written, not `validatePlan`'s output) or a workload of scenarios to the cluster (the seed's `submit_test_execution`) and resolves with its execution id.
   * Rejects with an `ApiError`: `PLAN_INVALID` / `WORKLOAD_INVALID` (400, `details` lists every problem), `WORKLOAD_UNPLACEABLE` (409, each node's reasons), `NO_COORDINATOR` (503).
   */
  async submitExecution(plan: PlanInput | WorkloadInput): Promise<string> {
    const body = await this.#request<{ execution_id: string }>('POST', '/api/executions', plan);
    return body.execution_id;
  }

  /** The execution with its live merged report (the seed's `get_execution_status`). */
  getExecution(executionId: string): Promise<Execution> {
    return this.#request('GET', `/api/executions/${encodeURIComponent(executionId)}`);
  }

  /** Every execution this peer holds, newest first. */
  async listExecutions(): Promise<ExecutionSummary[]> {
    return (await this.#request<{ executions: ExecutionSummary[] }>('GET', '/api/executions')).executions;
  }

  /** Stops an execution on every peer (the seed's `cancel_execution`); resolves with its status then. */
  async cancelExecution(executionId: string): Promise<ExecutionStatus> {
    return (await this.#request<{ status: ExecutionStatus }>('DELETE', `/api/executions/${encodeURIComponent(executionId)}`)).status;
  }

  /**
   * Reserves resources across the cluster (the seed's `allocate_resources_globally`), e.g.
   * `{ resources: [{ type: 'cpu', amount: 2, unit: 'cores' }], ttl: 600 }`; resolves with the allocation.
   */
  async allocateResources(request: AllocationRequestInput): Promise<{ allocation_id: string } & Record<string, unknown>> {
    return (await this.#request<{ allocation: { allocation_id: string } & Record<string, unknown> }>('POST', '/api/allocations', request)).allocation;
  }

  /** Releases an allocation (the seed's `deallocate_resources`). */
  deallocateResources(allocationId: string): Promise<Record<string, unknown>> {
    return this.#request('DELETE', `/api/allocations/${encodeURIComponent(allocationId)}`);
  }

  /** The allocations in force. */
  async listAllocations(): Promise<({ allocation_id: string } & Record<string, unknown>)[]> {
    return (await this.#request<{ allocations: ({ allocation_id: string } & Record<string, unknown>)[] }>('GET', '/api/allocations')).allocations;
  }

  /** The cluster's resource pool: capacity and what is allocated, per node. */
  resources(): Promise<Record<string, unknown>> {
    return this.#request('GET', '/api/resources');
  }

  /** Polls until the execution has ended (completed, failed or cancelled) and resolves with it. */
  async waitForExecution(executionId: string, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<Execution> {
    const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
    for (;;) {
      const execution = await this.getExecution(executionId);
      if (ENDED.includes(execution.status) && execution.report) return execution;
      if (Date.now() > deadline) throw new McpError('TIMEOUT', `execution ${executionId} is still ${execution.status}`);
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
    }
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#options.token) headers.authorization = `Bearer ${this.#options.token}`;
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ApiError(response.status, 'BAD_RESPONSE', `${method} ${path}: not JSON (HTTP ${response.status})`);
    }
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? `${method} ${path}: HTTP ${response.status}`, error?.details);
    }
    return json as T;
  }
}
