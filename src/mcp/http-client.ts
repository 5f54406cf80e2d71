// A ClusterClient over a running peer's REST API (`node peer.js mcp --peer http://host:port`).
// Every answer is validated; REST errors come back as the same coded errors the peer raised.
import { z } from 'zod';
import { McpError, ValidationError, errorMessage, type Problem } from '../errors.js';
import { parseOrThrow } from '../validation.js';
import { ClusterStatusSchema, ExecutionSummarySchema, ExecutionViewSchema, NodeSchema, type ClusterClient } from './cluster-client.js';

const REQUEST_TIMEOUT_MS = 10_000;

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });
const HealthSchema = z.object({ node_id: z.string(), coordinator: z.string().nullable(), term: z.number().nullable() }).passthrough();

export function httpClusterClient(baseUrl: string, options: { token?: string } = {}): ClusterClient {
  const base = baseUrl.replace(/\/+$/, '');
  async function call<T>(schema: z.ZodType<T>, method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new McpError('PEER_UNREACHABLE', `cannot reach the peer at ${base}: ${errorMessage(error)}`, { cause: error });
    }
    const json: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const parsed = ErrorBody.safeParse(json);
      if (!parsed.success) throw new McpError('PEER_ERROR', `${method} ${path} answered ${response.status}`);
      const { code, message, details } = parsed.data.error;
      if (response.status === 400 && Array.isArray(details)) throw new ValidationError(code, 'invalid plan', details as Problem[]);
      throw new McpError(code, message, { details });
    }
    return parseOrThrow(schema, json, 'PEER_ANSWER_INVALID', `unexpected answer to ${method} ${path}`);
  }
  return {
    describe: base,
    async status() {
      const [health, nodes] = await Promise.all([call(HealthSchema, 'GET', '/api/health'), call(z.object({ nodes: z.array(NodeSchema) }), 'GET', '/api/nodes')]);
      return ClusterStatusSchema.parse({ node_id: health.node_id, coordinator: health.coordinator, term: health.term, nodes: nodes.nodes });
    },
    submit: (plan) => call(z.object({ execution_id: z.string() }), 'POST', '/api/executions', plan),
    get: (id) => call(ExecutionViewSchema, 'GET', `/api/executions/${encodeURIComponent(id)}`),
    list: async () => (await call(z.object({ executions: z.array(ExecutionSummarySchema) }), 'GET', '/api/executions')).executions,
    cancel: (id) => call(z.object({ execution_id: z.string(), status: z.string() }), 'DELETE', `/api/executions/${encodeURIComponent(id)}`),
  };
}
