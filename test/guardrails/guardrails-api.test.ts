// The guardrails on a real peer: every cap and the allow-list refused with the field, the cap and the
// setting named, on POST /api/executions, POST /load/start and `node peer.js run`; nothing reaches a target.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPeer } from '../support/run-peer.js';
import { getJson, startPeerProcess, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';

let dir: string;
let peer: PeerProcess;
let allowed: CountingTarget;
let elsewhere: CountingTarget;

const LIMITS = {
  MCP_LIMITS_MAX_RPS: '100',
  MCP_LIMITS_MAX_DURATION: '10',
  MCP_ORCHESTRATOR_TASK_TIMEOUT: '8',
  MCP_LIMITS_MAX_CONNECTIONS: '60',
  MCP_LIMITS_MAX_TARGETS_PER_TASK: '2',
  MCP_LIMITS_MAX_TASKS_PER_PLAN: '2',
  MCP_LIMITS_MAX_TOTAL_REQUESTS: '500',
  MCP_LIMITS_MAX_BODY_BYTES: '1000',
  MCP_ORCHESTRATOR_MAX_CONCURRENT_EXECUTIONS: '1',
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-guard-'));
  allowed = await startCountingTarget();
  elsewhere = await startCountingTarget();
  peer = await startPeerProcess({ dataDir: join(dir, 'peer'), logLevel: 'warn', env: { ...LIMITS, MCP_ALLOWED_TARGETS: `127.0.0.1:${allowed.port},169.254.169.254` } });
  await waitFor(async () => (await getJson<{ coordinator: string | null }>(`${peer.httpUrl}/api/health`)).coordinator, 15_000, 'the peer to take office');
});
afterAll(async () => {
  await peer.kill('SIGKILL');
  await allowed.close();
  await elsewhere.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown) => fetch(`${peer.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const params = (over: Record<string, unknown> = {}) => ({ targets: [{ url: allowed.url }], duration: 2, base_rps: 10, ...over });
const planOf = (p: Record<string, unknown>, tasks = 1) => ({ name: 'g', tasks: Array.from({ length: tasks }, () => ({ type: 'load_test', parameters: p })) });

interface Refusal {
  error: { code: string; details: Array<{ path: string; code: string; setting: string; value?: unknown; limit?: unknown; message: string }> };
}

const cases: Array<[string, () => Record<string, unknown>, number, string, string]> = [
  ['rate', () => params({ base_rps: 150, duration: 1 }), 1, 'tasks[0].parameters.base_rps', 'MCP_LIMITS_MAX_RPS'],
  ['duration', () => params({ duration: 11, base_rps: 1 }), 1, 'tasks[0].parameters.duration', 'MCP_LIMITS_MAX_DURATION'],
  ['task timeout', () => params({ duration: 9, base_rps: 1 }), 1, 'tasks[0].parameters.duration', 'MCP_ORCHESTRATOR_TASK_TIMEOUT'],
  ['connections', () => params({ connections: 61 }), 1, 'tasks[0].parameters.connections', 'MCP_LIMITS_MAX_CONNECTIONS'],
  ['targets per task', () => params({ targets: [{ url: allowed.url }, { url: allowed.url }, { url: allowed.url }] }), 1, 'tasks[0].parameters.targets', 'MCP_LIMITS_MAX_TARGETS_PER_TASK'],
  ['tasks per plan', () => params(), 3, 'tasks', 'MCP_LIMITS_MAX_TASKS_PER_PLAN'],
  ['total requests', () => params({ base_rps: 90, duration: 6 }), 1, 'tasks[0].parameters', 'MCP_LIMITS_MAX_TOTAL_REQUESTS'],
  ['body bytes', () => params({ targets: [{ url: allowed.url, body: 'x'.repeat(1001) }] }), 1, 'tasks[0].parameters', 'MCP_LIMITS_MAX_BODY_BYTES'],
  ['a target off the allow-list', () => params({ targets: [{ url: 'http://127.0.0.1:1/' }] }), 1, 'tasks[0].parameters.targets[0].url', 'MCP_ALLOWED_TARGETS'],
  ['a metadata address not named', () => params({ targets: [{ url: 'http://[fd00:ec2::254]/' }] }), 1, 'tasks[0].parameters.targets[0].url', 'MCP_ALLOWED_TARGETS'],
];

describe('guardrails on a live peer', () => {
  it.each(cases)('POST /api/executions: %s is refused with its field and setting', async (_, p, tasks, path, env) => {
    const response = await post('/api/executions', planOf(p(), tasks));
    expect(response.status).toBe(400);
    const body = (await response.json()) as Refusal;
    expect(body.error.code).toBe('PLAN_REFUSED');
    const problem = body.error.details.find((d) => d.setting.includes(env));
    expect(problem, JSON.stringify(body.error.details)).toMatchObject({ path });
  });

  it.each(cases.filter(([, , tasks]) => tasks === 1))('POST /load/start: %s is refused with its field and setting', async (_, p, __, path, env) => {
    const response = await post('/load/start', { type: 'load_test', parameters: p() });
    expect(response.status).toBe(400);
    const body = (await response.json()) as Refusal;
    const problem = body.error.details.find((d) => d.setting.includes(env));
    expect(problem, JSON.stringify(body.error.details)).toMatchObject({ path: path.replace('tasks[0].parameters', 'parameters') });
  });

  it("refuses the peer's own status port, and a target outside the list receives nothing", async () => {
    const own = await post('/api/executions', planOf(params({ targets: [{ url: `${peer.httpUrl}/api/executions` }] })));
    expect(own.status).toBe(400);
    expect(((await own.json()) as Refusal).error.details[0]).toMatchObject({ code: 'TARGET_IS_PEER', path: 'tasks[0].parameters.targets[0].url' });
    const off = await post('/api/executions', planOf(params({ targets: [{ url: elsewhere.url }] })));
    expect(off.status).toBe(400);
    expect(elsewhere.count()).toBe(0);
    expect(allowed.count()).toBe(0);
    expect((await getJson<{ executions: unknown[] }>(`${peer.httpUrl}/api/executions`)).executions).toEqual([]);
  });

  it('answers 429 over orchestrator.max_concurrent_executions, on executions and on /load/start', async () => {
    const first = await post('/api/executions', planOf(params({ duration: 3, base_rps: 10 })));
    expect(first.status).toBe(201);
    const second = await post('/api/executions', planOf(params({ duration: 1, base_rps: 10 })));
    expect(second.status).toBe(429);
    expect(((await second.json()) as Refusal).error.code).toBe('TOO_MANY_EXECUTIONS');

    // Load tasks count against the cap too, the execution's own share included: let it end first.
    const { execution_id } = (await first.json()) as { execution_id: string };
    await waitFor(async () => (await getJson<{ status: string }>(`${peer.httpUrl}/api/executions/${execution_id}`)).status === 'completed' || undefined, 15_000, 'the execution to end', 100);
    await waitFor(async () => (await getJson<{ active: number }>(`${peer.httpUrl}/load/status`)).active === 0 || undefined, 10_000, 'its run to end', 100);
    const local = await post('/load/start', params({ duration: 2, base_rps: 5 }));
    expect(local.status).toBe(201);
    const more = await post('/load/start', params({ duration: 1, base_rps: 5 }));
    expect(more.status).toBe(429);
    // What was admitted runs to the end; nothing else reached any target.
    await waitFor(() => allowed.count() >= 40, 10_000, 'the admitted runs', 100);
    expect(elsewhere.count()).toBe(0);
  });
});

describe('node peer.js run', () => {
  it('exits 2 naming the cap and sends nothing', async () => {
    const file = join(dir, 'plan.json');
    await writeFile(file, JSON.stringify(planOf(params({ targets: [{ url: elsewhere.url }], base_rps: 50, duration: 1 }))));
    const { code, stderr } = await runPeer(['run', file], { env: { MCP_LIMITS_MAX_RPS: '20' } });
    expect(code).toBe(2);
    expect(stderr).toContain('tasks[0].parameters.base_rps');
    expect(stderr).toContain('MCP_LIMITS_MAX_RPS');
    expect(elsewhere.count()).toBe(0);
  });
});
