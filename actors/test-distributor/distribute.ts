// Places a workload's scenarios one after another: each on the best-ranked nodes that can take it,
// consuming their free resources so that later scenarios see what is left. A scenario that fits
// nowhere is refused with every node's reasons.
import type { DistributionInput, DistributionPlan, Placement } from '../../src/distribution.js';
import { eligibility } from './eligibility.js';
import { LOCATION_PREFERRED, RANKERS } from './strategies.js';

export function distribute(input: DistributionInput): DistributionPlan {
  const { strategy, candidates, history } = input;
  const order = candidates.map((c) => c.node_id).sort();
  const free = new Map(candidates.map((c) => [c.node_id, { ...c.free }]));
  let cursor = input.cursor;
  const placements: Placement[] = [];
  for (const demand of input.scenarios) {
    const { eligible, rejected } = eligibility(candidates, demand, free, !LOCATION_PREFERRED.has(strategy));
    if (eligible.length < demand.nodes) {
      const why = rejected.map((r) => `${r.node_id}: ${r.missing.join(', ')}`).join('; ');
      placements.push({
        scenario_id: demand.scenario_id,
        ok: false,
        reason: `needs ${demand.nodes} node(s), ${eligible.length} can take it${candidates.length === 0 ? ' (no nodes)' : why ? ` (${why})` : ''}`,
        rejected,
      });
      continue;
    }
    const chosen = RANKERS[strategy](eligible, { demand, free, history, cursor, order }).slice(0, demand.nodes);
    for (const node of chosen) {
      const left = free.get(node.node_id)!;
      for (const [type, amount] of Object.entries(demand.resource_requirements)) left[type] = (left[type] ?? 0) - amount;
    }
    if (strategy === 'round_robin' && order.length > 0) cursor = (order.indexOf(chosen.at(-1)!.node_id) + 1) % order.length;
    placements.push({ scenario_id: demand.scenario_id, ok: true, nodes: chosen.map((n) => n.node_id) });
  }
  return { strategy, placements, cursor };
}
