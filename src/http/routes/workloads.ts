// POST /api/workloads/placement: where each scenario of a workload would run under a strategy (the
// seed's distribute_workload), or why it cannot; GET /api/distribution: strategies and what
// `adaptive` has learnt.
import type { DistributionPlan, History, ScenarioDemand, Strategy } from '../../distribution.js';
import { STRATEGIES } from '../../distribution.js';
import { validateWorkload } from '../../plan/workload.js';
import { HttpError, type Router } from '../router.js';

export interface WorkloadsSource {
  defaultStrategy: Strategy;
  place(strategy: Strategy, scenarios: ScenarioDemand[]): Promise<DistributionPlan>;
  history(): Promise<History>;
}

export function workloadRoutes(router: Router, source: WorkloadsSource): void {
  router.on('POST', '/api/workloads/placement', async (req) => {
    const workload = validateWorkload(await req.json());
    const strategy = workload.strategy ?? source.defaultStrategy;
    const plan = await source.place(strategy, workload.scenarios.map((s) => s.demand));
    const placements = plan.placements.map((p, i) => ({ ...p, name: workload.scenarios[i]!.name, estimated_duration_s: workload.scenarios[i]!.estimated_duration_s }));
    const refused = placements.filter((p) => !p.ok);
    if (refused.length > 0) {
      throw new HttpError(409, 'WORKLOAD_UNPLACEABLE', `${refused.length} of ${placements.length} scenario(s) cannot be placed: ${refused.map((p) => `${p.scenario_id}: ${'reason' in p ? p.reason : ''}`).join('; ')}`, {
        strategy,
        placements,
      });
    }
    return { json: { name: workload.name, strategy, execution_mode: workload.execution_mode, placements } };
  });

  router.on('GET', '/api/distribution', async () => ({
    json: { default_strategy: source.defaultStrategy, strategies: STRATEGIES, history: await source.history() },
  }));
}
