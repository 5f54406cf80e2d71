// POST /api/allocations (201, or 409 with the shortfall), DELETE /api/allocations/{id},
// GET /api/allocations, GET /api/resources (the pool in the seed's shape). Any peer answers; requests
// go to the coordinator in office, reads come from this peer's replica.
import { randomUUID } from 'node:crypto';
import { McpError } from '../../errors.js';
import { isFinalFailure } from '../../messaging.js';
import { AllocationRequestSchema, toBaseUnit, unitOf, type Allocation, type AllocationAsk, type AllocationOutcome, type PoolReplica } from '../../resources.js';
import { parseOrThrow } from '../../validation.js';
import { HttpError, type Router } from '../router.js';

export interface ResourcesSource {
  self: string;
  allocationTimeoutS: number;
  /** One ask of the coordinator: decided, or still waiting. */
  allocate(ask: AllocationAsk): Promise<AllocationOutcome | { waiting: true }>;
  release(allocationId: string): Promise<boolean>;
  status(): Promise<{ capacity: Record<string, Record<string, number>>; replica: PoolReplica }>;
}

const POLL_MS = 100;
/** However short the request's own timeout, a change of coordinator is waited out this long. */
const MIN_PATIENCE_MS = 10_000;
const round = (x: number) => Math.round(x * 1000) / 1000;

function unavailable(error: unknown): HttpError {
  const code = error instanceof McpError ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'NO_COORDINATOR') return new HttpError(503, code, message);
  return new HttpError(502, 'COORDINATOR_UNREACHABLE', `the coordinator did not answer: ${message}`);
}

export function view(a: Allocation) {
  return { ...a, granted_at: new Date(a.granted_at).toISOString(), expires_at: a.expires_at === null ? null : new Date(a.expires_at).toISOString() };
}

/** The pool in the seed's shape: per type total, allocated, available, utilisation; and per node. */
export function poolStatus(capacity: Record<string, Record<string, number>>, replica: PoolReplica) {
  const used: Record<string, Record<string, number>> = {};
  for (const a of replica.allocations) {
    for (const [node, amounts] of Object.entries(a.placement)) for (const [type, amount] of Object.entries(amounts)) (used[node] ??= {})[type] = (used[node]![type] ?? 0) + amount;
  }
  const entry = (total: number, allocated: number) => ({
    total_capacity: round(total),
    allocated: round(allocated),
    available_capacity: round(Math.max(0, total - allocated)),
    utilization_percent: total > 0 ? round((allocated / total) * 100) : 0,
  });
  const types = [...new Set(Object.values(capacity).flatMap((c) => Object.keys(c)))].sort();
  const aggregate: Record<string, ReturnType<typeof entry> & { unit: string }> = {};
  for (const type of types) {
    const total = Object.values(capacity).reduce((s, c) => s + (c[type] ?? 0), 0);
    const allocated = Object.keys(capacity).reduce((s, n) => s + (used[n]?.[type] ?? 0), 0);
    aggregate[type] = { ...entry(total, allocated), unit: unitOf(type) };
  }
  const nodes = Object.fromEntries(
    Object.keys(capacity)
      .sort()
      .map((n) => [n, Object.fromEntries(Object.entries(capacity[n]!).map(([type, total]) => [type, { ...entry(total, used[n]?.[type] ?? 0), unit: unitOf(type) }]))]),
  );
  return { total_nodes: Object.keys(capacity).length, aggregate_utilization: aggregate, nodes, active_allocations: replica.allocations.length, version: { term: replica.term, seq: replica.seq } };
}

export function resourceRoutes(router: Router, source: ResourcesSource): void {
  router.on('POST', '/api/allocations', async (req) => {
    const body = parseOrThrow(AllocationRequestSchema, await req.json(), 'ALLOCATION_INVALID', 'invalid allocation request');
    const timeoutS = body.timeout ?? source.allocationTimeoutS;
    const ask: AllocationAsk = {
      allocation_id: body.allocation_id ?? randomUUID(),
      requester_id: body.requester_id,
      holder: source.self,
      priority: body.priority,
      ttl: body.ttl ?? null,
      resources: body.resources.map((r) => ({ type: r.type, amount: toBaseUnit(r.type, r.amount, r.unit)! })),
      deadline: Math.round(Date.now() + timeoutS * 1000),
    };
    // Asked again until decided: the same id is never granted twice, and a coordinator that is
    // changing office (or still gathering the table) is waited for, up to the deadline.
    const giveUpAt = Math.max(ask.deadline, Date.now() + MIN_PATIENCE_MS);
    for (;;) {
      let outcome: AllocationOutcome | { waiting: true };
      try {
        outcome = await source.allocate(ask);
      } catch (error) {
        if (isFinalFailure(error) || Date.now() > giveUpAt) throw unavailable(error);
        await new Promise((r) => setTimeout(r, POLL_MS));
        continue;
      }
      if ('granted' in outcome) {
        if (outcome.granted) return { status: 201, json: { allocation: view(outcome.allocation) } };
        throw new HttpError(409, 'RESOURCES_INSUFFICIENT', `allocation ${outcome.allocation_id} refused: ${outcome.reason}`, { allocation_id: outcome.allocation_id, shortfall: outcome.shortfall });
      }
      // The coordinator refuses at the deadline; this is only a guard against losing it meanwhile.
      if (Date.now() > ask.deadline + 5_000) throw new HttpError(504, 'ALLOCATION_TIMEOUT', `no answer for allocation ${ask.allocation_id}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  });

  router.on('DELETE', '/api/allocations/:id', async (req) => {
    const id = req.params.id!;
    let found: boolean;
    try {
      found = await source.release(id);
    } catch (error) {
      throw unavailable(error);
    }
    if (!found) throw new HttpError(404, 'ALLOCATION_NOT_FOUND', `no allocation ${id}`);
    return { json: { allocation_id: id, status: 'released' } };
  });

  router.on('GET', '/api/allocations', async () => {
    const { replica } = await source.status();
    return { json: { allocations: replica.allocations.map(view) } };
  });

  router.on('GET', '/api/resources', async () => {
    const { capacity, replica } = await source.status();
    return { json: poolStatus(capacity, replica) };
  });
}
