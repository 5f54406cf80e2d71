// /mcp over streamable HTTP on a real 3-peer cluster, with the SDK's own client in both protocol eras.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from '../../scripts/lib/peer-process.js';
import { LocalCluster } from '../support/cluster.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { call, httpClient, loadPlan } from './support.js';

const TOKEN = 'test-token-0123456789abcdef';
let cluster: LocalCluster;
let target: CountingTarget;
let outside: CountingTarget;
let url: string;

beforeAll(async () => {
  [target, outside] = await Promise.all([startCountingTarget(), startCountingTarget()]);
  cluster = await LocalCluster.create(3);
  const env = { MCP_ALLOWED_TARGETS: `127.0.0.1:${target.port}`, MCP_LIMITS_MAX_DURATION: '30', MCP_CONFIRM_REQUESTS: '300', MCP_API_TOKEN: TOKEN };
  await Promise.all([0, 1, 2].map((i) => cluster.restart(i, env)));
  await cluster.waitForCoordinator();
  url = `${cluster.alive()[1]!.httpUrl}/mcp`;
}, 60_000);

afterAll(async () => {
  await cluster?.close();
  await Promise.all([target?.close(), outside?.close()]);
});

/** Waits until the target has received nothing new for a while: every request sent has arrived. */
async function settled(t: CountingTarget): Promise<number> {
  let last = -1;
  return waitFor(async () => {
    const now = t.count();
    if (now === last) return now;
    last = now;
    return undefined;
  }, 10_000, 'the target to settle', 300);
}

describe('/mcp', () => {
  test('refuses a request without the token, or from a foreign Origin', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    expect((await fetch(url, { method: 'POST', headers, body })).status).toBe(401);
    const foreign = await fetch(url, { method: 'POST', headers: { ...headers, authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example' }, body });
    expect(foreign.status).toBe(403);
  });

  test.each(['modern', 'legacy'] as const)('%s era: tools with schemas and annotations, the cluster, a bad plan by path', async (era) => {
    const client = await httpClient(url, { era, token: TOKEN });
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['cancel_test', 'cluster_status', 'compare_tests', 'get_test', 'list_tests', 'run_performance_test', 'run_security_scan', 'run_stress_test', 'start_test', 'validate_plan', 'wait_for_test']);
      for (const t of tools) {
        expect(t.outputSchema?.type, t.name).toBe('object');
        expect(typeof t.annotations?.readOnlyHint, t.name).toBe('boolean');
      }
      expect(tools.find((t) => t.name === 'cancel_test')!.annotations!.destructiveHint).toBe(true);
      const status = await call(client, 'cluster_status', {});
      expect(status.structured.alive_members).toBe(3);
      expect(status.structured.coordinator).toBeTruthy();
      const bad = await call(client, 'validate_plan', { plan: { name: 'bad', tasks: [{ type: 'load_test', parameters: { targets: [{ url: 'not a url' }], duration: -1, base_rps: 10 } }] } });
      expect(bad.structured.valid).toBe(false);
      expect(bad.structured.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['tasks[0].parameters.targets[0].url', 'tasks[0].parameters.duration']));
    } finally {
      await client.close();
    }
  }, 30_000);

  test('modern era: start_test returns at once; wait_for_test reports progress and a total equal to what the target counted', async () => {
    const client = await httpClient(url, { era: 'modern', token: TOKEN });
    try {
      const before = target.count();
      const t0 = Date.now();
      const started = await call(client, 'start_test', { plan: loadPlan(`${target.url}/a`, { duration: 2, base_rps: 100 }) });
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(started.structured.status).toBe('started');
      expect(started.structured.dry_run.expected_total_requests).toBe(200);
      expect(started.structured.dry_run.generators).toHaveLength(3);
      const progress: number[] = [];
      const done = await call(client, 'wait_for_test', { execution_id: started.structured.execution_id, timeout_s: 30 }, { onprogress: (p) => progress.push(p.progress) });
      expect(done.structured.status).toBe('completed');
      expect(done.structured.timed_out).toBe(false);
      expect(progress.length).toBeGreaterThan(0);
      const counted = (await settled(target)) - before;
      expect(done.structured.total_requests).toBe(counted);
      expect(done.structured.total_requests + done.structured.dropped_requests, `dropped ${done.structured.dropped_requests}`).toBe(200);
      expect(done.structured.nodes).toHaveLength(3);
      expect(done.structured.timeseries).toBeUndefined();
      const withSeries = await call(client, 'get_test', { execution_id: started.structured.execution_id, timeseries: true });
      expect(withSeries.structured.timeseries.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  }, 60_000);

  test('legacy era: start, poll get_test to the end, compare with another run, list', async () => {
    const client = await httpClient(url, { era: 'legacy', token: TOKEN });
    try {
      const ids: string[] = [];
      for (const rps of [50, 100]) {
        const before = target.count();
        const started = await call(client, 'start_test', { plan: loadPlan(`${target.url}/b`, { duration: 2, base_rps: rps, thresholds: ['p99 < 5s'] }) });
        const id = started.structured.execution_id as string;
        ids.push(id);
        const final = await waitFor(async () => {
          const got = await call(client, 'get_test', { execution_id: id });
          return got.structured.done ? got.structured : undefined;
        }, 30_000, 'the execution to end', 250);
        expect(final.status).toBe('completed');
        expect(final.thresholds_passed).toBe(true);
        expect(final.total_requests).toBe((await settled(target)) - before);
      }
      const comparison = await call(client, 'compare_tests', { baseline_id: ids[1], candidate_id: ids[0] });
      expect(comparison.structured.regressions).toEqual(expect.arrayContaining([expect.stringContaining('requests_per_second')]));
      const listed = await call(client, 'list_tests', { status: 'completed' });
      expect(listed.structured.executions.map((e: { execution_id: string }) => e.execution_id)).toEqual(expect.arrayContaining(ids));
    } finally {
      await client.close();
    }
  }, 60_000);

  test('cancel_test stops the load at the target within a second', async () => {
    const client = await httpClient(url, { era: 'modern', token: TOKEN });
    try {
      const started = await call(client, 'start_test', { plan: loadPlan(`${target.url}/c`, { duration: 20, base_rps: 10 }) });
      const before = target.countsByPath()['/c'] ?? 0;
      await waitFor(() => (target.countsByPath()['/c'] ?? 0) > before + 10, 10_000, 'load at the target');
      const cancelled = await call(client, 'cancel_test', { execution_id: started.structured.execution_id });
      expect(cancelled.structured.status).toBe('cancelled');
      await new Promise((r) => setTimeout(r, 1_000));
      const atOneSecond = target.countsByPath()['/c'];
      await new Promise((r) => setTimeout(r, 1_500));
      expect(target.countsByPath()['/c']).toBe(atOneSecond);
      const after = await call(client, 'get_test', { execution_id: started.structured.execution_id });
      expect(after.structured.status).toBe('cancelled');
    } finally {
      await client.close();
    }
  }, 40_000);

  test('a target outside the allow-list and a plan over a cap are refused, and nothing is sent', async () => {
    const client = await httpClient(url, { era: 'modern', token: TOKEN });
    try {
      const executions = (await call(client, 'list_tests', { limit: 500 })).structured.total;
      const foreign = await call(client, 'start_test', { plan: loadPlan(`${outside.url}/x`) }, { refused: true });
      expect(foreign.error).toMatch(/GUARDRAIL_REFUSED/);
      expect(foreign.error).toContain(`127.0.0.1:${outside.port}`);
      expect(foreign.error).toContain('MCP_ALLOWED_TARGETS');
      const long = await call(client, 'start_test', { plan: loadPlan(`${target.url}/y`, { duration: 60 }) }, { refused: true });
      expect(long.error).toMatch(/GUARDRAIL_REFUSED/);
      expect(long.error).toMatch(/60/);
      expect(long.error).toContain('MCP_LIMITS_MAX_DURATION');
      const dry = await call(client, 'validate_plan', { plan: loadPlan(`${outside.url}/x`) });
      expect(dry.structured).toMatchObject({ valid: true, allowed: false });
      expect(dry.structured.refusals[0].path).toBe('tasks[0].parameters.targets[0].url');
      await new Promise((r) => setTimeout(r, 1_000));
      expect(outside.count()).toBe(0);
      expect(target.countsByPath()['/y']).toBeUndefined();
      expect((await call(client, 'list_tests', { limit: 500 })).structured.total).toBe(executions);
    } finally {
      await client.close();
    }
  }, 30_000);

  test('above the confirmation threshold, without elicitation: a token for this plan only, then the test starts', async () => {
    const client = await httpClient(url, { era: 'legacy', token: TOKEN });
    try {
      const plan = loadPlan(`${target.url}/t`, { duration: 2, base_rps: 200 });
      const asked = await call(client, 'start_test', { plan });
      expect(asked.structured.status).toBe('confirmation_required');
      expect(asked.structured.reasons[0]).toMatch(/400 requests/);
      await new Promise((r) => setTimeout(r, 500));
      expect(target.countsByPath()['/t']).toBeUndefined();
      const other = await call(client, 'start_test', { plan: loadPlan(`${target.url}/t`, { duration: 3, base_rps: 200 }), confirmation_token: asked.structured.confirmation_token }, { refused: true });
      expect(other.error).toMatch(/CONFIRMATION_INVALID/);
      const started = await call(client, 'start_test', { plan, confirmation_token: asked.structured.confirmation_token });
      expect(started.structured.status).toBe('started');
      const again = await call(client, 'start_test', { plan, confirmation_token: asked.structured.confirmation_token }, { refused: true });
      expect(again.error).toMatch(/CONFIRMATION_INVALID/);
      const done = await call(client, 'wait_for_test', { execution_id: started.structured.execution_id, timeout_s: 30 });
      await settled(target);
      expect(done.structured.total_requests).toBe(target.countsByPath()['/t']);
      expect(done.structured.total_requests + done.structured.dropped_requests).toBe(400);
    } finally {
      await client.close();
    }
  }, 60_000);

  test.each(['accept', 'decline'] as const)('above the threshold, with elicitation (2026-07-28): the user is asked and %ss', async (answer) => {
    const client = await httpClient(url, { era: 'modern', token: TOKEN, elicit: answer });
    const path = `/e-${answer}`;
    try {
      const result = await call(client, 'start_test', { plan: loadPlan(`${target.url}${path}`, { duration: 2, base_rps: 200 }) });
      expect(client.elicitations).toHaveLength(1);
      expect(client.elicitations[0]).toMatch(/400 requests/);
      if (answer === 'decline') {
        expect(result.structured.status).toBe('declined');
        await new Promise((r) => setTimeout(r, 1_000));
        expect(target.countsByPath()[path]).toBeUndefined();
        return;
      }
      expect(result.structured.status).toBe('started');
      const done = await call(client, 'wait_for_test', { execution_id: result.structured.execution_id, timeout_s: 30 });
      await settled(target);
      expect(done.structured.total_requests).toBe(target.countsByPath()[path]);
    } finally {
      await client.close();
    }
  }, 60_000);

  test('a 2026-07-28 client listening to an execution report is notified as it changes', async () => {
    const client = await httpClient(url, { era: 'modern', token: TOKEN });
    try {
      const started = await call(client, 'start_test', { plan: loadPlan(`${target.url}/s`, { duration: 2, base_rps: 20 }) });
      const uri = `execution://${started.structured.execution_id}/report`;
      const updates: string[] = [];
      client.setNotificationHandler('notifications/resources/updated', (n) => void updates.push(n.params.uri));
      const subscription = await client.listen({ resourceSubscriptions: [uri] });
      await waitFor(() => updates.filter((u) => u === uri).length >= 2, 20_000, 'report updates');
      await subscription.close();
    } finally {
      await client.close();
    }
  }, 40_000);

  test('resources and prompts: the generated plan schema, the guide, an execution report', async () => {
    const client = await httpClient(url, { era: 'modern', token: TOKEN });
    try {
      const schema = await client.readResource({ uri: 'mcpdt://plan/schema' });
      const parsed = JSON.parse((schema.contents[0] as { text: string }).text);
      expect(parsed.properties.tasks.items.properties.parameters.properties.base_rps.type).toBe('number');
      const guide = await client.readResource({ uri: 'mcpdt://plan/guide' });
      expect((guide.contents[0] as { text: string }).text).toContain('validate_plan');
      const { executions } = (await call(client, 'list_tests', {})).structured;
      const report = await client.readResource({ uri: `execution://${executions[0].execution_id}/report` });
      expect(JSON.parse((report.contents[0] as { text: string }).text).summary).toBeTruthy();
      const { prompts } = await client.listPrompts();
      expect(prompts.map((p) => p.name).sort()).toEqual(['investigate_regression', 'plan_load_test']);
      const prompt = await client.getPrompt({ name: 'plan_load_test', arguments: { target_url: target.url, traffic: '100 req/s' } });
      expect(JSON.stringify(prompt.messages)).toContain(target.url);
    } finally {
      await client.close();
    }
  }, 30_000);
});
