// A workload through /mcp on a real 2-peer cluster: validate_plan names a bad scenario's field,
// start_test runs a workload of two scenarios and wait_for_test follows it to the end; the target
// received what the merged results count.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalCluster } from '../support/cluster.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { call, httpClient } from './support.js';

let cluster: LocalCluster;
let target: CountingTarget;
let url: string;

beforeAll(async () => {
  target = await startCountingTarget();
  cluster = await LocalCluster.create(2);
  await Promise.all([0, 1].map((i) => cluster.restart(i, { MCP_ALLOWED_TARGETS: `127.0.0.1:${target.port}` })));
  await cluster.waitForCoordinator();
  url = `${cluster.alive()[0]!.httpUrl}/mcp`;
}, 60_000);

afterAll(async () => {
  await cluster?.close();
  await target?.close();
});

describe('workloads over MCP', () => {
  test('validate_plan and start_test take a workload; it runs to the end', async () => {
    const client = await httpClient(url, { era: 'modern' });
    try {
      const scenario = (id: string, parameters: object) => ({ scenario_id: id, test_type: 'load_test', parameters: { targets: [{ url: `${target.url}/${id}` }], duration: 1, base_rps: 20, ...parameters } });
      const bad = await call(client, 'validate_plan', { plan: { name: 'w', scenarios: [scenario('a', { duration: -1 })] } });
      expect(bad.structured.valid).toBe(false);
      expect(bad.structured.problems[0].path).toBe('scenarios[0].parameters.duration');

      const workload = { name: 'mcp workload', execution_mode: 'parallel', scenarios: [scenario('a', {}), scenario('b', {})] };
      const started = await call(client, 'start_test', { plan: workload });
      expect(started.structured.status).toBe('started');
      const done = await call(client, 'wait_for_test', { execution_id: started.structured.execution_id, timeout_s: 60 });
      expect(done.structured.status).toBe('completed');
      // The workload's results merge both scenarios' exactly.
      expect(done.structured.total_requests).toBe(target.count());
      expect(target.countsByPath()['/a']).toBeGreaterThan(10);
      expect(target.countsByPath()['/b']).toBeGreaterThan(10);
    } finally {
      await client.close();
    }
  }, 120_000);
});
