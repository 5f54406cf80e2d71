// The OpenAPI 3.1 description of the REST API, served at GET /api/openapi.json and shipped as
// schema/openapi.json. test/http/openapi.test.ts checks it against the routes the peer registers, both ways.
import { z } from 'zod';
import { planJsonSchema, workloadJsonSchema } from '../plan/json-schema.js';
import { AllocationRequestSchema } from '../resources.js';
import { SecurityReportSchema } from '../report/security-report.js';
import { VERSION } from '../version.js';

const json = (schema: unknown) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const ok = (description: string, schema: unknown = { type: 'object' }) => ({ description, content: json(schema) });
const idParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const query = (name: string, description: string, schema: unknown = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema });

export function openApiDocument(): Record<string, unknown> {
  const { $schema: _drop, $id: _id, ...plan } = planJsonSchema();
  const { $schema: _dropW, $id: _idW, ...workload } = workloadJsonSchema();
  return {
    openapi: '3.1.0',
    info: { title: 'MCP Distributed Testing peer API', version: VERSION, description: 'Every peer serves this API; any peer accepts a plan and answers reads from its replica.' },
    servers: [{ url: 'http://127.0.0.1:8080' }],
    paths: {
      '/api/health': {
        get: { operationId: 'health', summary: "This peer's health, the coordinator it knows, alive members", security: [], responses: { 200: ok('health', ref('Health')) } },
      },
      '/api/openapi.json': { get: { operationId: 'openapi', summary: 'This document', responses: { 200: ok('the OpenAPI document') } } },
      '/api/nodes': {
        get: {
          operationId: 'listNodes',
          summary: 'The members this peer knows, this one included',
          parameters: [
            query('status', 'alive, suspect or dead', { enum: ['alive', 'suspect', 'dead'] }),
            query('capability', 'e.g. http_load'),
            query('location', 'e.g. eu-west-1'),
          ],
          responses: { 200: ok('members', { type: 'object', properties: { nodes: { type: 'array', items: ref('Node') } }, required: ['nodes'] }) },
        },
      },
      '/api/executions': {
        post: {
          operationId: 'submitExecution',
          summary: 'Submit a plan (JSON), split across the peers (a security_test scans once, on one of them); or a workload, whose scenarios are placed by a strategy and run in an execution mode',
          requestBody: { required: true, content: json({ oneOf: [ref('Plan'), ref('Workload')] }) },
          responses: {
            201: ok('accepted', { type: 'object', properties: { execution_id: { type: 'string' } }, required: ['execution_id'] }),
            400: error('invalid plan or workload (PLAN_INVALID, WORKLOAD_INVALID, details: every problem with its path; a baseline execution this peer does not hold), or a target outside the allow-list (PLAN_REFUSED)'),
            409: error('a scenario of the workload cannot be placed (WORKLOAD_UNPLACEABLE, details: each scenario and each node\'s reasons)'),
            502: error('the coordinator did not accept the request'),
            503: error('no coordinator in office (NO_COORDINATOR); try again'),
          },
        },
        get: { operationId: 'listExecutions', summary: 'Every execution this peer holds', responses: { 200: ok('executions') } },
      },
      '/api/executions/{id}': {
        parameters: [idParam('id', 'execution id')],
        get: {
          operationId: 'getExecution',
          summary: 'Status, assignments and the live merged report',
          parameters: [{ name: 'If-None-Match', in: 'header', required: false, description: 'the ETag of an ended execution\'s last answer: 304 while it has not changed', schema: { type: 'string' } }],
          responses: {
            200: ok('the execution; its report carries the test types\' sections (one task: at the top level; several: under report.tasks[i]): stress { status, breaking_point { last_good_rps, first_bad_rps, cause }, broken_by, steps, curve, note }, baseline { source, passed, regressions, metrics }, security (SecurityReport), and once ended gate { passed, failures }; stopped_early { at, reason } when a stress test broke. An ended execution\'s answer carries an ETag (the same bytes until it changes); a running one\'s is as of now, without one'),
            304: { description: 'not modified: the ETag sent in If-None-Match is still this ended execution\'s' },
            404: error('EXECUTION_NOT_FOUND'),
          },
        },
        delete: { operationId: 'cancelExecution', summary: 'Stop the execution on every peer', responses: { 200: ok('{ execution_id, status }'), 404: error('EXECUTION_NOT_FOUND') } },
      },
      '/load/start': {
        post: {
          operationId: 'startLoad',
          summary: 'Run one load_test task on this peer alone',
          requestBody: { required: true, content: json({ type: 'object', description: 'a task { type: load_test, parameters } or the parameters alone' }) },
          responses: { 201: ok('{ task_id }'), 400: error('PLAN_INVALID') },
        },
      },
      '/load/stop/{id}': { parameters: [idParam('id', 'task id')], post: { operationId: 'stopLoad', summary: 'Stop a local load task', responses: { 200: ok('{ task_id, status }'), 404: error('TASK_NOT_FOUND') } } },
      '/load/metrics/{id}': { parameters: [idParam('id', 'task id')], get: { operationId: 'loadMetrics', summary: "A local task's live report", responses: { 200: ok('report'), 404: error('TASK_NOT_FOUND') } } },
      '/health': { get: { operationId: 'nodeHealth', summary: "This node's health checks (the node monitor), custom checks included", responses: { 200: ok('healthy'), 503: ok('unhealthy') } } },
      '/api/alerts': { get: { operationId: 'alerts', summary: 'Alerts raised by the node monitors', responses: { 200: ok('alerts') } } },
      '/metrics': { get: { operationId: 'prometheusMetrics', summary: 'Prometheus exposition', security: [], responses: { 200: { description: 'text/plain; version=0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
      '/api/metrics': { get: { operationId: 'metrics', summary: 'The same metrics as JSON', responses: { 200: ok('metrics') } } },
      '/api/resources': { get: { operationId: 'resources', summary: "The cluster's resource pool: capacity and allocations per node", responses: { 200: ok('pool') } } },
      '/api/allocations': {
        post: {
          operationId: 'allocateResources',
          summary: 'Allocate resources across the cluster',
          requestBody: { required: true, content: json(ref('AllocationRequest')) },
          responses: { 201: ok('the allocation'), 400: error('ALLOCATION_INVALID'), 409: error('not enough resources'), 503: error('no coordinator') },
        },
        get: { operationId: 'listAllocations', summary: 'Current allocations', responses: { 200: ok('allocations') } },
      },
      '/api/allocations/{id}': {
        parameters: [idParam('id', 'allocation id')],
        delete: { operationId: 'deallocateResources', summary: 'Release an allocation', responses: { 200: ok('released'), 404: error('not found') } },
      },
      '/api/workloads/placement': {
        post: { operationId: 'placeWorkload', summary: 'Plan where a workload would run under a distribution strategy', requestBody: { required: true, content: json(ref('Workload')) }, responses: { 200: ok('placement'), 400: error('invalid workload') } },
      },
      '/api/distribution': { get: { operationId: 'distribution', summary: 'Distribution strategies and history', responses: { 200: ok('distribution') } } },
      '/api/executions/{id}/report.html': {
        parameters: [idParam('id', 'execution id')],
        get: { operationId: 'executionReportHtml', summary: 'A self-contained HTML report', responses: { 200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } }, 404: error('EXECUTION_NOT_FOUND') } },
      },
      '/': {
        get: {
          operationId: 'livePage',
          summary: 'The live page',
          parameters: [query('token', 'the API token, once: answered with a session cookie (HttpOnly, SameSite=Strict) and a redirect to /, so the page works where it cannot send a header')],
          responses: {
            200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } },
            303: { description: 'token accepted: Set-Cookie mcp_session, Location /' },
            401: error('UNAUTHORIZED: no token, or a wrong one'),
          },
        },
      },
      '/assets/{name}': { parameters: [idParam('name', 'asset file')], get: { operationId: 'pageAsset', summary: "The live page's assets", responses: { 200: { description: 'asset' }, 404: error('NOT_FOUND') } } },
      '/api/events': { get: { operationId: 'events', summary: 'Server-sent events of the live page', responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } } } } },
      '/api/live': { get: { operationId: 'live', summary: "The live page's snapshot", responses: { 200: ok('snapshot') } } },
      '/mcp': {
        post: {
          operationId: 'mcp',
          summary: 'The MCP server (streamable HTTP transport, JSON-RPC): tools for an AI agent',
          requestBody: { required: true, content: json({ type: 'object', description: 'a JSON-RPC message' }) },
          responses: { 200: ok('a JSON-RPC answer, or an event stream') },
        },
      },
      '/load/status': { get: { operationId: 'loadStatus', summary: "This peer's load tasks", responses: { 200: ok('tasks') } } },
    },
    // Either credential opens every route but the public ones (which say `security: []`).
    security: [{ bearer: [] }, { pageSession: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'MCP_API_TOKEN, when the peer has one' },
        pageSession: { type: 'apiKey', in: 'cookie', name: 'mcp_session', description: 'set by GET /?token=<MCP_API_TOKEN>, for the live page' },
      },
      schemas: {
        Plan: plan,
        Workload: workload,
        SecurityReport: (({ $schema: _s, ...rest }) => rest)(z.toJSONSchema(SecurityReportSchema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>),
        AllocationRequest: (({ $schema: _s, ...rest }) => rest)(z.toJSONSchema(AllocationRequestSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>),
        Error: {
          type: 'object',
          properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} }, required: ['code', 'message', 'details'] } },
          required: ['error'],
        },
        Health: {
          type: 'object',
          properties: {
            status: { enum: ['ok', 'starting'], description: 'starting: the status port answers while the peer starts (node_id null, no members); every other route answers 503 PEER_STARTING until it is ok' },
            node_id: { type: ['string', 'null'] },
            version: { type: 'string' },
            uptime_s: { type: 'number' },
            coordinator: { type: ['string', 'null'] },
            term: { type: ['integer', 'null'] },
            members: { type: 'integer', description: 'alive members, this peer included' },
          },
          required: ['status', 'node_id', 'version', 'uptime_s', 'coordinator', 'term', 'members'],
        },
        Node: {
          type: 'object',
          properties: {
            node_id: { type: 'string' },
            status: { enum: ['alive', 'suspect', 'dead'] },
            http_url: { type: 'string' },
            addresses: { type: 'array', items: { type: 'string' } },
            roles: { type: 'array', items: { type: 'string' } },
            capabilities: { type: 'array', items: { type: 'string' } },
            location: { type: 'string' },
            version: { type: 'string' },
            started_at: { type: 'string', format: 'date-time' },
            last_seen: { type: 'string', format: 'date-time' },
            is_self: { type: 'boolean' },
            rtt_ms: { type: ['number', 'null'], description: 'Round trip to this member over libp2p as last pinged (every 30 s); null for this peer or before the first ping.' },
            is_coordinator: { type: 'boolean' },
          },
        },
      },
    },
  };
}
