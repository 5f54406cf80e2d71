// The typed client against a peer started with the library's startPeer, in this process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ClusterClient, ConfigError, silentLogger, startPeer, validatePlan, ValidationError, type LibraryPeer, type PlanInput } from '../../src/index.js';
import { loadTaskOf } from '../../src/plan/index.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';

let peer: LibraryPeer;
let target: CountingTarget;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-lib-'));
  target = await startCountingTarget();
  peer = await startPeer({ orchestrator: { port: 0 }, p2p: { port: 0 }, discovery: { mdns: false }, node: { data_dir: dir } }, { logger: silentLogger });
});
afterAll(async () => {
  await peer?.stop();
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

const plan = (url: string, duration = '1s'): PlanInput => ({ name: 'lib', tasks: [{ type: 'load_test', parameters: { targets: [{ url }], duration, base_rps: 30 } }] });

describe('library API', () => {
  it('startPeer refuses a bad configuration with every field named', async () => {
    const error = await startPeer({ orchestrator: { port: -1 }, p2p: { port: 'x' as unknown as number } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.path).sort()).toEqual(['orchestrator.port', 'p2p.port']);
  });

  it('validatePlan returns the plan with defaults, or throws with every problem', () => {
    expect(loadTaskOf(validatePlan(plan('http://127.0.0.1:1/')).tasks[0]!)!.base_rps).toBe(30);
    const error = (() => {
      try {
        validatePlan({ name: '', tasks: [] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((p) => p.path).sort()).toEqual(['name', 'tasks']);
  });

  it('submits, follows and lists an execution; members and health answer; a bad plan is an ApiError naming the field', async () => {
    const client = new ClusterClient(peer.httpUrl + '/');
    await expect.poll(async () => (await client.health()).coordinator, { timeout: 15_000 }).toBe(peer.id);
    expect((await client.members()).map((m) => m.node_id)).toEqual([peer.id]);
    expect(await client.members({ capability: 'nothing' })).toEqual([]);

    const id = await client.submitExecution(plan(`${target.url}/lib`));
    const done = await client.waitForExecution(id, { timeoutMs: 20_000, intervalMs: 100 });
    expect(done.status).toBe('completed');
    expect(done.report?.summary.total_requests).toBe(30);
    expect(target.countsByPath()['/lib']).toBe(30);
    expect((await client.listExecutions()).map((e) => e.execution_id)).toContain(id);

    const bad = await client.submitExecution({ name: 'x', tasks: [{ type: 'load_test' as const, parameters: { targets: [{ url: 'ftp://x' }], duration: 1, base_rps: 1 } }] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect((bad as ApiError).status).toBe(400);
    expect((bad as ApiError).code).toBe('PLAN_INVALID');
    expect(JSON.stringify((bad as ApiError).details)).toContain('tasks[0].parameters.targets[0].url');

    const missing = await client.getExecution('nope').catch((e: unknown) => e);
    expect((missing as ApiError).status).toBe(404);
    expect((missing as ApiError).code).toBe('EXECUTION_NOT_FOUND');
  });

  it('allocates and releases resources through the client', async () => {
    const allocation = await peer.client.allocateResources({ resources: [{ type: 'cpu', amount: 0.1 }], ttl: 60 });
    expect(typeof allocation.allocation_id).toBe('string');
    expect((await peer.client.listAllocations()).map((a) => a.allocation_id)).toContain(allocation.allocation_id);
    expect(await peer.client.resources()).toHaveProperty('total_nodes', 1);
    await peer.client.deallocateResources(allocation.allocation_id);
    const invalid = await peer.client.allocateResources({ resources: [] }).catch((e: unknown) => e);
    expect((invalid as ApiError).status).toBe(400);
  });
});
