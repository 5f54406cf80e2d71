// Which nodes may take a scenario, and why the others may not: capabilities, resources, health and
// (for the strategies that pin it) location. Every reason is kept so a refusal can name them all.
import type { Candidate, Rejection, ScenarioDemand } from '../../src/distribution.js';

export interface Eligibility {
  eligible: Candidate[];
  rejected: Rejection[];
}

/** `eu-west-1` and `eu-west-2` share the region `eu-west`. */
export function regionOf(location: string): string {
  return location.replace(/-?\d+[a-z]?$/, '');
}

/** 1 same location, 0.5 same region, 0 elsewhere; 1 when the scenario names no location. */
export function closeness(node: string, wanted: string | undefined): number {
  if (wanted === undefined) return 1;
  if (node === wanted) return 1;
  return regionOf(node) === regionOf(wanted) && regionOf(node) !== '' ? 0.5 : 0;
}

export function missingOn(node: Candidate, demand: ScenarioDemand, free: Readonly<Record<string, number>>, pinLocation: boolean): string[] {
  const missing: string[] = [];
  if (node.status !== 'alive') missing.push(`status ${node.status}`);
  // A critical node only ranks low (its score): on a busy shared machine every node can be critical.
  if (node.health?.state === 'failed') missing.push('health failed');
  for (const c of demand.required_capabilities) if (!node.capabilities.includes(c)) missing.push(`capability ${c}`);
  for (const [type, amount] of Object.entries(demand.resource_requirements)) {
    const have = free[type] ?? 0;
    if (have < amount) missing.push(`${type}: needs ${amount}, ${have} free`);
  }
  if (pinLocation && demand.location !== undefined && node.location !== demand.location) missing.push(`location ${demand.location} (is ${node.location})`);
  return missing;
}

export function eligibility(candidates: readonly Candidate[], demand: ScenarioDemand, free: ReadonlyMap<string, Readonly<Record<string, number>>>, pinLocation: boolean): Eligibility {
  const eligible: Candidate[] = [];
  const rejected: Rejection[] = [];
  for (const node of candidates) {
    const missing = missingOn(node, demand, free.get(node.node_id) ?? node.free, pinLocation);
    if (missing.length === 0) eligible.push(node);
    else rejected.push({ node_id: node.node_id, missing });
  }
  return { eligible, rejected };
}

/** Free fraction of what the scenario asks for (the tightest type); of cpu and memory when it asks nothing. */
export function freeFraction(node: Candidate, demand: ScenarioDemand, free: Readonly<Record<string, number>>): number {
  const types = Object.keys(demand.resource_requirements).length > 0 ? Object.keys(demand.resource_requirements) : ['cpu', 'memory'];
  const fractions = types.map((t) => ((node.capacity[t] ?? 0) > 0 ? (free[t] ?? 0) / node.capacity[t]! : 0));
  return Math.max(0, Math.min(1, Math.min(...fractions)));
}
