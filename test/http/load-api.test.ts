// The load generator API of a real peer: /load/start, /load/metrics, /load/stop, /load/status.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startPeerProcess, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';

let dir: string;
let peer: PeerProcess;
let target: CountingTarget;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-load-api-'));
  target = await startCountingTarget();
  peer = await startPeerProcess({ dataDir: dir, logLevel: 'warn' });
});
afterAll(async () => {
  await peer.kill('SIGKILL');
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (path: string, body?: unknown) =>
  fetch(`${peer.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

describe('/load API', () => {
  it('starts a task, reports it live, and its final report counts what the target received', async () => {
    target.reset();
    const response = await post('/load/start', { name: 'api', type: 'load_test', parameters: { targets: [{ url: target.url }], duration: 1.5, base_rps: 200 } });
    expect(response.status).toBe(201);
    const { task_id } = (await response.json()) as { task_id: string };
    const status = await getJson<{ tasks: { task_id: string }[] }>(`${peer.httpUrl}/load/status`);
    expect(status.tasks.map((t) => t.task_id)).toContain(task_id);
    const report = await waitFor(
      async () => {
        const r = await getJson<{ status: string; summary: { total_requests: number } }>(`${peer.httpUrl}/load/metrics/${task_id}`);
        return r.status === 'completed' ? r : undefined;
      },
      10_000,
      'the task to complete',
      100,
    );
    expect(report.summary.total_requests).toBe(300);
    expect(target.count()).toBe(300);
  });

  it('stops a task on request', async () => {
    const response = await post('/load/start', { targets: [{ url: target.url }], duration: 30, base_rps: 100 });
    const { task_id } = (await response.json()) as { task_id: string };
    await waitFor(async () => (await getJson<{ summary: { total_requests: number } }>(`${peer.httpUrl}/load/metrics/${task_id}`)).summary.total_requests > 10, 5_000, 'requests');
    const stop = await post(`/load/stop/${task_id}`);
    expect(stop.status).toBe(200);
    const final = await waitFor(
      async () => {
        const r = await getJson<{ status: string }>(`${peer.httpUrl}/load/metrics/${task_id}`);
        return r.status === 'stopped' ? r : undefined;
      },
      3_000,
      'the task to stop',
    );
    expect(final.status).toBe('stopped');
  });

  it('answers a bad body with 400 naming every bad field, and unknown tasks with 404', async () => {
    const bad = await post('/load/start', { parameters: { targets: [{ url: 'nope' }], duration: 0, base_rps: -5 } });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; message: string; details: { path: string }[] } };
    expect(body.error.code).toBe('PLAN_INVALID');
    const paths = body.error.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['parameters.targets[0].url', 'parameters.duration', 'parameters.base_rps']));
    const notJson = await fetch(`${peer.httpUrl}/load/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('BODY_INVALID_JSON');
    expect((await fetch(`${peer.httpUrl}/load/metrics/unknown`)).status).toBe(404);
    expect((await post('/load/stop/unknown')).status).toBe(404);
  });
});

describe('/api/executions input', () => {
  it('answers an invalid plan with 400 naming each bad field, and accepts nothing', async () => {
    const before = await getJson<{ executions: unknown[] }>(`${peer.httpUrl}/api/executions`);
    const response = await post('/api/executions', { name: '', tasks: [{ type: 'load_test', parameters: { targets: [], duration: 5 } }, { type: 'fuzz' }] });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('PLAN_INVALID');
    expect(body.error.details.map((d) => d.path)).toEqual(expect.arrayContaining(['name', 'tasks[0].parameters.targets', 'tasks[1].type']));
    const after = await getJson<{ executions: unknown[] }>(`${peer.httpUrl}/api/executions`);
    expect(after.executions).toHaveLength(before.executions.length);
    expect((await fetch(`${peer.httpUrl}/api/executions/nope`)).status).toBe(404);
    expect((await fetch(`${peer.httpUrl}/api/executions/nope`, { method: 'DELETE' })).status).toBe(404);
  });
});
