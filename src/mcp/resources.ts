// Resources: an execution's JSON report, the plan's JSON Schema, and a short plan guide.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';
import type { ClusterClient } from './cluster-client.js';
import { planJsonSchema } from './plan-schema.js';
import type { Guardrails } from './tool.js';

export const PLAN_SCHEMA_URI = 'mcpdt://plan/schema';
export const PLAN_GUIDE_URI = 'mcpdt://plan/guide';
export const reportUri = (executionId: string) => `execution://${executionId}/report`;

function guide(guardrails: Guardrails): string {
  return `# Writing a plan

A plan is \`{ name, tasks: [{ type: "load_test", parameters }] }\` (JSON Schema: ${PLAN_SCHEMA_URI}).
Tasks run together; each is split across the alive peers so their shares add up to exactly the rate asked.

\`\`\`json
{ "name": "checkout", "tasks": [{ "type": "load_test", "parameters": {
  "targets": [{ "url": "http://127.0.0.1:8000/api/cart" }],
  "duration": "30s", "base_rps": 50, "peak_rps": 200, "pattern": "ramp_up",
  "thresholds": ["p99 < 250ms", "error_rate < 0.01"] } }] }
\`\`\`

- Open model (give \`base_rps\`, \`peak_rps\` or \`stages\`): arrivals at the planned rate whatever the target does.
  Patterns: constant, ramp_up, ramp_down, spike, wave, random, burst, stages.
- Closed model (only \`concurrent_users\`, optional \`think_time\`): users looping; its volume is unbounded, so
  starting one always asks for confirmation.
- Thresholds: p50/p90/p95/p99/p999/mean/min/max (us, ms, s), error_rate, rps, dropped with < <= > >= ==.

Workflow: validate_plan (problems by path, or the dry run) → start_test (an execution_id at once) →
wait_for_test or get_test → compare_tests against an earlier run. cancel_test stops it on every peer.

Policy in force: \`${JSON.stringify(guardrails.describe())}\`.
`;
}

export function registerResources(server: McpServer, cluster: ClusterClient, guardrails: Guardrails): void {
  server.registerResource('plan-schema', PLAN_SCHEMA_URI, { title: 'Plan JSON Schema', description: 'JSON Schema of a plan, generated from the validator', mimeType: 'application/schema+json' }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'application/schema+json', text: planJsonSchema() }],
  }));
  server.registerResource('plan-guide', PLAN_GUIDE_URI, { title: 'Plan guide', description: 'How to write a plan and run it safely', mimeType: 'text/markdown' }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/markdown', text: guide(guardrails) }],
  }));
  server.registerResource(
    'execution-report',
    new ResourceTemplate('execution://{id}/report', {
      list: async () => ({
        resources: (await cluster.list()).map((e) => ({ uri: reportUri(e.execution_id), name: `${e.name} (${e.status})`, mimeType: 'application/json' })),
      }),
    }),
    { title: 'Execution report', description: 'The full JSON report of an execution (summary, per target, thresholds, time series); updated while it runs', mimeType: 'application/json' },
    async (uri, variables) => {
      const id = String(variables.id);
      const view = await cluster.get(id);
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(view.report) }] };
    },
  );
}
