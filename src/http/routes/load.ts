// The load generator API of every status port: /load/start, /load/stop/{id}, /load/metrics/{id}, /load/status.
import { validateLoadTask, type LoadTask } from '../../plan/index.js';
import { admitOneMore, TOO_MANY_EXECUTIONS, type TooManyExecutionsError } from '../../guardrails/index.js';
import { HttpError, type Router } from '../router.js';
import { quote } from '../../validation.js';
import { buildReport } from '../../report/index.js';
import type { LocalLoad, LocalLoadView } from '../../load/local-load.js';

function reportOf(view: LocalLoadView) {
  const running = !view.outcome;
  return buildReport({
    executionId: view.task_id,
    name: view.name,
    status: view.outcome?.status ?? view.state,
    startedAt: view.started_at,
    finishedAt: view.outcome?.finishedAt ?? Date.now(),
    // A live report rates what was done over the time elapsed so far.
    durationS: running ? Math.max(0.001, Math.min(view.task.duration, (Date.now() - view.started_at) / 1000)) : view.outcome!.durationS,
    task: view.task,
    results: view.results,
  });
}

export interface LoadGuard {
  /** Throws a ValidationError when the task goes over a cap or aims at a refused target; returns it ready to run (secrets resolved). */
  check(task: LoadTask, prefix: string): Promise<LoadTask>;
  /** Load tasks running at once on this peer at most (429 over it). */
  maxConcurrent: number;
}

export function loadRoutes(router: Router, load: LocalLoad, nodeId: string, guard?: LoadGuard): void {
  const notFound = (taskId: string) => new HttpError(404, 'TASK_NOT_FOUND', `no load task ${taskId} on this peer`);

  router.on('POST', '/load/start', async (req) => {
    const body = (await req.json()) as Record<string, unknown> | null;
    // Either a plan's task `{ type: 'load_test', parameters }` or the parameters alone.
    const wrapped = body !== null && typeof body === 'object' && !Array.isArray(body) && 'parameters' in body;
    if (wrapped && body.type !== undefined && body.type !== 'load_test') {
      throw new HttpError(400, 'PLAN_INVALID', `type: only load_test tasks run on /load/start, got ${quote(body.type)}`, [
        { path: 'type', message: 'must be "load_test"' },
      ]);
    }
    let task = validateLoadTask(wrapped ? body.parameters : body, wrapped ? 'parameters' : '');
    const name = wrapped && typeof body.name === 'string' ? body.name : 'load_test';
    if (guard) {
      task = await guard.check(task, wrapped ? 'parameters' : '');
      const views = await load.list();
      try {
        admitOneMore(views.filter((v) => !v.outcome).length, guard.maxConcurrent);
      } catch (error) {
        throw new HttpError(429, TOO_MANY_EXECUTIONS, (error as Error).message, (error as TooManyExecutionsError).details);
      }
    }
    const taskId = await load.start(task, name);
    return { status: 201, json: { task_id: taskId } };
  });

  router.on('POST', '/load/stop/:id', async (req) => {
    const taskId = req.params.id!;
    const found = await load.stop(taskId);
    if (!found) throw notFound(taskId);
    return { json: { task_id: taskId, status: 'stopped' } };
  });

  router.on('GET', '/load/metrics/:id', async (req) => {
    const view = await load.get(req.params.id!);
    if (!view) throw notFound(req.params.id!);
    return { json: reportOf(view) };
  });

  router.on('GET', '/load/status', async () => {
    const views = await load.list();
    return {
      json: {
        node_id: nodeId,
        active: views.filter((v) => !v.outcome).length,
        tasks: views.map((v) => ({
          task_id: v.task_id,
          name: v.name,
          state: v.state,
          status: v.outcome?.status ?? null,
          started_at: new Date(v.started_at).toISOString(),
          segment: v.segment,
          total_requests: v.requests,
        })),
      },
    };
  });
}
