// Prompts: from a target and a traffic description to a plan; from two executions to a diagnosis.
import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/server';
import { PLAN_GUIDE_URI, PLAN_SCHEMA_URI } from './resources.js';

const user = (text: string) => ({ messages: [{ role: 'user' as const, content: { type: 'text' as const, text } }] });

export function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    'plan_load_test',
    {
      title: 'Plan a load test',
      description: 'Turn a target URL and an expected traffic description into a plan with thresholds, checked with validate_plan',
      argsSchema: z.object({
        target_url: z.string().describe('the URL to test'),
        traffic: z.string().describe('the expected traffic, e.g. "300 req/s at peak, mostly reads, p99 under 200 ms"'),
      }),
    },
    ({ target_url, traffic }) =>
      user(`Write a load-test plan for ${target_url}. Expected traffic: ${traffic}.

1. Read ${PLAN_GUIDE_URI} and the schema ${PLAN_SCHEMA_URI}.
2. Choose the open model (base_rps/peak_rps or stages) unless the traffic is best described as a number of users.
   Warm up first (ramp_up or stages), hold the expected peak, and keep the duration short (30 s to 2 min) unless asked.
3. Add thresholds that express the expectations: a latency percentile (e.g. "p99 < 200ms"), "error_rate < 0.01",
   and an "rps >= ..." a little under the planned peak.
4. Call validate_plan with the plan; fix every problem it names by path, and check the dry run (expected requests,
   peak rate, peers) and whether it would need confirmation.
5. Show me the plan and the dry run before calling start_test.`),
  );
  server.registerPrompt(
    'investigate_regression',
    {
      title: 'Investigate a regression',
      description: 'Compare two executions and explain what got worse, where and when',
      argsSchema: z.object({ baseline_id: z.string().describe('the earlier, good execution'), candidate_id: z.string().describe('the later execution to examine') }),
    },
    ({ baseline_id, candidate_id }) =>
      user(`Investigate whether execution ${candidate_id} regressed against ${baseline_id}.

1. Call compare_tests with baseline_id ${baseline_id} and candidate_id ${candidate_id}; list the regressions it names.
2. Call get_test on both with timeseries: true and look at when latency or errors changed (from the start, or after
   a rate level?), and per target which endpoint is responsible.
3. Check the plans were comparable (same targets, rate and duration) and that the candidate had as many peers.
4. Conclude: what regressed, by how much, where, since when, and what to look at next.`),
  );
}
