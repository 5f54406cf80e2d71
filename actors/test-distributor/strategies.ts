// The six placement strategies. Each ranks the nodes that may take a scenario, best first; `distribute`
// takes as many as the scenario asks for. Pure functions of their input.
//
// | strategy | location | ranks by |
// |---|---|---|
// | round_robin | pinned | node id order, starting where the last placement stopped |
// | least_loaded | pinned | fewest active runs, then lowest CPU %, then most free capacity |
// | capability_based | pinned | fewest capabilities beyond those required (specialists first), then least loaded |
// | locality_aware | preferred | same location, then same region (`eu-west-1` ~ `eu-west-2`), then anywhere; then least loaded |
// | weighted | preferred | 0.5·free capacity + 0.3·health score/100 + 0.2·closeness (1 / 0.5 / 0) |
// | adaptive | pinned | (0.4·free capacity + 0.3·health + 0.3·throughput relative to the best known) × (1 − share of saturated runs) |
//
// "Pinned": a scenario's `location` is a requirement. "Preferred": closeness only ranks.
// Free capacity is the free fraction of the resources the scenario asks for (the tightest), or of cpu
// and memory when it asks for none. A node with no health heard counts as score 50.
import type { Candidate, History, ScenarioDemand, Strategy } from '../../src/distribution.js';
import { closeness, freeFraction } from './eligibility.js';

export interface RankContext {
  demand: ScenarioDemand;
  /** Free resources per node, after the placements made so far. */
  free: ReadonlyMap<string, Readonly<Record<string, number>>>;
  history: History;
  cursor: number;
  /** Every candidate's id in order, for round robin. */
  order: readonly string[];
}

type Ranker = (eligible: readonly Candidate[], ctx: RankContext) => Candidate[];

const byId = (a: Candidate, b: Candidate) => (a.node_id < b.node_id ? -1 : a.node_id > b.node_id ? 1 : 0);
const freeOf = (n: Candidate, ctx: RankContext) => freeFraction(n, ctx.demand, ctx.free.get(n.node_id) ?? n.free);
const healthOf = (n: Candidate) => (n.health ? n.health.score / 100 : 0.5);

function loadOrder(a: Candidate, b: Candidate, ctx: RankContext): number {
  return a.active_runs - b.active_runs || (a.health?.cpu_percent ?? 0) - (b.health?.cpu_percent ?? 0) || freeOf(b, ctx) - freeOf(a, ctx) || byId(a, b);
}

const descending = (score: (n: Candidate) => number) => (a: Candidate, b: Candidate) => score(b) - score(a) || byId(a, b);

export function weightedScore(n: Candidate, ctx: RankContext): number {
  return 0.5 * freeOf(n, ctx) + 0.3 * healthOf(n) + 0.2 * closeness(n.location, ctx.demand.location);
}

export function adaptiveScore(n: Candidate, ctx: RankContext, best: number): number {
  const record = ctx.history[n.node_id];
  // A node never tried gets the best known throughput: it is explored, not starved.
  const throughput = !record || best <= 0 ? 1 : Math.min(1, record.throughput_rps / best) * Math.min(1, record.kept_up);
  const saturation = record && record.runs > 0 ? record.saturated_runs / record.runs : 0;
  return (0.4 * freeOf(n, ctx) + 0.3 * healthOf(n) + 0.3 * throughput) * (1 - saturation);
}

export const RANKERS: Record<Strategy, Ranker> = {
  round_robin(eligible, ctx) {
    const at = new Map(ctx.order.map((id, i) => [id, i]));
    const start = ctx.order.length === 0 ? 0 : ctx.cursor % ctx.order.length;
    const distance = (n: Candidate) => (at.get(n.node_id)! - start + ctx.order.length) % ctx.order.length;
    return [...eligible].sort((a, b) => distance(a) - distance(b));
  },
  least_loaded: (eligible, ctx) => [...eligible].sort((a, b) => loadOrder(a, b, ctx)),
  capability_based(eligible, ctx) {
    const extra = (n: Candidate) => n.capabilities.filter((c) => !ctx.demand.required_capabilities.includes(c)).length;
    return [...eligible].sort((a, b) => extra(a) - extra(b) || loadOrder(a, b, ctx));
  },
  locality_aware(eligible, ctx) {
    const near = (n: Candidate) => closeness(n.location, ctx.demand.location);
    return [...eligible].sort((a, b) => near(b) - near(a) || loadOrder(a, b, ctx));
  },
  weighted: (eligible, ctx) => [...eligible].sort(descending((n) => weightedScore(n, ctx))),
  adaptive(eligible, ctx) {
    const best = Math.max(0, ...eligible.map((n) => ctx.history[n.node_id]?.throughput_rps ?? 0));
    return [...eligible].sort(descending((n) => adaptiveScore(n, ctx, best)));
  },
};

/** Strategies under which a scenario's location only ranks nodes instead of excluding the others. */
export const LOCATION_PREFERRED: ReadonlySet<Strategy> = new Set(['locality_aware', 'weighted']);
