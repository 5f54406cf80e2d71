// `node peer.js mcp` on stdio with the SDK's own client: joining a running cluster as a peer of its own
// (static bootstrap, mDNS off) in both protocol eras, and `--peer` speaking to a peer's REST API.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PEER_JS, waitFor } from '../../scripts/lib/peer-process.js';
import { LocalCluster } from '../support/cluster.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { call, loadPlan, stdioClient, type Era } from './support.js';

let cluster: LocalCluster;
let target: CountingTarget;
let dir: string;

beforeAll(async () => {
  [cluster, target, dir] = await Promise.all([LocalCluster.start(2), startCountingTarget(), mkdtemp(join(tmpdir(), 'mcpdt-stdio-'))]);
}, 60_000);

afterAll(async () => {
  await cluster?.close();
  await target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Requests the target received on `path` once nothing more arrives. */
async function settledCount(path: string): Promise<number> {
  let last = -1;
  return waitFor(() => {
    const now = target.countsByPath()[path] ?? 0;
    if (now === last) return now;
    last = now;
    return undefined;
  }, 10_000, 'the target to settle', 300);
}

const CONFIRM_ABOVE = '300';

function joiningArgs(name: string): string[] {
  const bootstrap = cluster.alive().map((p) => p.addresses[0]!);
  return [PEER_JS, 'mcp', '--data-dir', join(dir, name), '--http-port', '0', '--p2p-port', '0', '--bootstrap', bootstrap.join(','), '--log-level', 'info'];
}

describe('node peer.js mcp (joins the cluster)', () => {
  test.each(['legacy', 'modern'] as const)('%s era: tools, a bad plan by path, a test whose total equals the target count, confirmation by elicitation', async (era: Era) => {
    const client = await stdioClient(joiningArgs(era), { MCP_CONFIRM_REQUESTS: CONFIRM_ABOVE }, { era, elicit: 'accept' });
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['cancel_test', 'cluster_status', 'compare_tests', 'get_test', 'list_tests', 'run_performance_test', 'run_security_scan', 'run_stress_test', 'start_test', 'validate_plan', 'wait_for_test']);
      // It joined: the two peers and itself, one coordinator.
      await waitFor(async () => {
        const s = (await call(client, 'cluster_status', {})).structured;
        return s.alive_members === 3 && s.coordinator !== null && s.generators.length === 3;
      }, 20_000, 'the MCP peer to join the cluster');
      const bad = await call(client, 'validate_plan', { plan: { name: 'bad', tasks: [{ type: 'load_test', parameters: { targets: [{ url: 'ftp://x' }], duration: '2s', base_rps: 'many' } }] } });
      expect(bad.structured.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['tasks[0].parameters.targets[0].url', 'tasks[0].parameters.base_rps']));

      const path = `/${era}`;
      const started = await call(client, 'start_test', { plan: loadPlan(`${target.url}${path}`, { duration: 2, base_rps: 100 }) });
      expect(started.structured.status).toBe('started');
      // Subscribed to its report (2025: resources/subscribe; 2026-07-28: subscriptions/listen), the client hears of its changes.
      const uri = `execution://${started.structured.execution_id}/report`;
      const updates: string[] = [];
      client.setNotificationHandler('notifications/resources/updated', (n) => void updates.push(n.params.uri));
      const subscription = era === 'legacy' ? await client.subscribeResource({ uri }) : await client.listen({ resourceSubscriptions: [uri] });
      const done = await call(client, 'wait_for_test', { execution_id: started.structured.execution_id, timeout_s: 40 });
      await waitFor(() => updates.includes(uri), 5_000, 'a report update');
      if ('close' in subscription) await subscription.close();
      expect(done.structured.status).toBe('completed');
      expect(done.structured.total_requests).toBe(await settledCount(path));
      expect(done.structured.nodes).toHaveLength(3);

      // Above the threshold: the client is asked (2025: a real elicitation request; 2026-07-28: input_required).
      const big = await call(client, 'start_test', { plan: loadPlan(`${target.url}${path}-big`, { duration: 2, base_rps: 200 }) });
      expect(client.elicitations).toHaveLength(1);
      expect(big.structured.status).toBe('started');
      const bigDone = await call(client, 'wait_for_test', { execution_id: big.structured.execution_id, timeout_s: 40 });
      expect(bigDone.structured.total_requests).toBe(await settledCount(`${path}-big`));
    } finally {
      await client.close();
    }
    // Nothing but protocol frames went to stdout (the client would have failed to parse them); logs went to stderr.
    expect(client.stderr()).toContain('mcp on stdio');
  }, 120_000);
});

describe('node peer.js mcp --peer URL', () => {
  test('speaks to a running peer: status, a refused target, the confirmation token flow', async () => {
    const peer = cluster.alive()[0]!;
    const client = await stdioClient([PEER_JS, 'mcp', '--peer', peer.httpUrl, '--log-level', 'warn'], { MCP_CONFIRM_REQUESTS: CONFIRM_ABOVE }, { era: 'legacy' });
    try {
      const status = await call(client, 'cluster_status', {});
      expect(status.structured.node_id).toBe(peer.id);
      // No allow-list set: an agent may aim at loopback only.
      const dry = await call(client, 'validate_plan', { plan: loadPlan('http://10.255.255.1/') });
      expect(dry.structured.allowed).toBe(false);
      expect(dry.structured.refusals[0].setting).toContain('MCP_ALLOWED_TARGETS');

      const plan = loadPlan(`${target.url}/peer`, { duration: 2, base_rps: 200 });
      const asked = await call(client, 'start_test', { plan });
      expect(asked.structured.status).toBe('confirmation_required');
      const started = await call(client, 'start_test', { plan, confirmation_token: asked.structured.confirmation_token });
      expect(started.structured.status).toBe('started');
      // Subscribed to its report (2025: resources/subscribe; 2026-07-28: subscriptions/listen), the client hears of its changes.
      const uri = `execution://${started.structured.execution_id}/report`;
      const updates: string[] = [];
      client.setNotificationHandler('notifications/resources/updated', (n) => void updates.push(n.params.uri));
      const subscription = await client.subscribeResource({ uri });
      const done = await call(client, 'wait_for_test', { execution_id: started.structured.execution_id, timeout_s: 40 });
      await waitFor(() => updates.includes(uri), 5_000, 'a report update');
      expect(subscription).toEqual({});
      expect(done.structured.total_requests).toBe(await settledCount('/peer'));
      const unknown = await call(client, 'get_test', { execution_id: 'no-such-execution' }, { refused: true });
      expect(unknown.error).toMatch(/EXECUTION_NOT_FOUND/);
    } finally {
      await client.close();
    }
  }, 60_000);
});
