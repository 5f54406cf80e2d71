// Part of the composition root (src/peer.ts): running workloads. The coordinator's peer validates a
// workload, applies the guardrails to its scenarios, has the test distributor place them, and hands
// the placed workload to the coordinator actor; scenarios reserve their resources through the pool.
import { ask } from '../actor/ask.js';
import type { ActorRef } from '../actor/types.js';
import { McpError, PermanentError, errorMessage, type ValidationError } from '../errors.js';
import type { ExecutionDoc } from '../execution/contract.js';
import type { DistributionPlan, ScenarioDemand, Strategy } from '../distribution.js';
import type { PeerGuard } from '../guardrails/peer-guard.js';
import { validateWorkload, workloadPlan, type Workload } from '../plan/workload.js';
import type { Clock } from '../util/clock.js';
import type { CoordinatorMessage, Outcome } from '../../actors/coordinator/messages.js';
import type { ReserveOutcome, WorkloadPorts } from '../../actors/coordinator/workloads/driver.js';
import type { AllocateReply, PoolStatusView, ResourcePoolMessage } from '../../actors/resource-pool/messages.js';
import type { DistributorMessage } from '../../actors/test-distributor/distributor.js';
import type { ClusterHealth } from '../health.js';
import type { Member } from '../protocol/membership.js';

export type PlaceFn = (strategy: Strategy, scenarios: ScenarioDemand[]) => Promise<DistributionPlan>;

export interface PlacerDeps {
  self: Pick<Member, 'node_id' | 'capabilities' | 'location'>;
  members: () => Promise<Member[]>;
  pool: ActorRef<ResourcePoolMessage>;
  health: () => ClusterHealth;
  distributor: ActorRef<DistributorMessage>;
}

/** Placement by the test distributor over what this peer knows now: members, health, capacity and allocations. */
export function placer(d: PlacerDeps): PlaceFn {
  return async (strategy, scenarios) => {
    const [all, pool] = await Promise.all([d.members(), ask<ResourcePoolMessage, PoolStatusView>(d.pool, (r) => ({ type: 'status.get', reply: r }))]);
    const view = {
      members: [{ ...d.self, status: 'alive' as const }, ...all],
      health: d.health(),
      capacity: pool.capacity,
      allocations: pool.replica.allocations,
    };
    return ask<DistributorMessage, DistributionPlan>(d.distributor, (reply) => ({ type: 'place', strategy, scenarios, view, reply }));
  };
}

/** Why a workload cannot be placed, or undefined when every scenario can. */
export function unplaceable(workload: Workload, plan: DistributionPlan): { message: string; placements: unknown[] } | undefined {
  const placements = plan.placements.map((p, i) => ({ ...p, name: workload.scenarios[i]!.name, estimated_duration_s: workload.scenarios[i]!.estimated_duration_s }));
  const refused = placements.filter((p) => !p.ok);
  if (refused.length === 0) return undefined;
  const message = `${refused.length} of ${placements.length} scenario(s) cannot be placed: ${refused.map((p) => `${p.scenario_id}: ${'reason' in p ? p.reason : ''}`).join('; ')}`;
  return { message, placements };
}

export interface WorkloadSubmitDeps {
  coordinator: ActorRef<CoordinatorMessage>;
  guard: Pick<PeerGuard, 'admitExecution' | 'asPermanent'>;
  place: PlaceFn;
  defaultStrategy: Strategy;
}

/** On the coordinator's peer: validate, admit, place, and submit a workload (`execution.submit`). */
export async function submitWorkload(deps: WorkloadSubmitDeps, executionId: string, body: unknown): Promise<ExecutionDoc | undefined> {
  let workload: Workload;
  try {
    workload = validateWorkload(body);
  } catch (error) {
    throw new PermanentError('PERMANENT_PLAN_INVALID', errorMessage(error), { details: (error as ValidationError).problems });
  }
  const plan = workloadPlan(workload);
  await deps.guard.admitExecution(plan, executionId).catch((error: unknown) => {
    throw deps.guard.asPermanent(error);
  });
  const strategy = workload.strategy ?? deps.defaultStrategy;
  const placed = await deps.place(strategy, workload.scenarios.map((s) => s.demand));
  const refused = unplaceable(workload, placed);
  if (refused) throw new PermanentError('PERMANENT_WORKLOAD_UNPLACEABLE', refused.message, { details: refused.placements });
  const scenarios = workload.scenarios.map((s, i) => {
    const p = placed.placements[i]!;
    return { scenario_id: s.scenario_id, name: s.name, nodes: p.ok ? p.nodes : [], resources: { ...s.demand.resource_requirements }, estimated_duration_s: s.estimated_duration_s };
  });
  const outcome = await ask<CoordinatorMessage, Outcome<ExecutionDoc | undefined>>(deps.coordinator, (reply) => ({
    type: 'workload.submit',
    executionId,
    workload: { plan, source: body, mode: workload.execution_mode, strategy, scenarios },
    reply,
  }));
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

const POLL_MS = 250;
const RELEASE_PATIENCE_MS = 30_000;

/** Reservations through the pool actor of this peer (the coordinator in office decides them). */
export function poolReservations(pool: () => ActorRef<ResourcePoolMessage>, clock: Clock, allocationTimeoutS: number): WorkloadPorts {
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.schedule(resolve, ms));
  return {
    async reserve({ allocation_id, holder, pin, ttl_s }): Promise<ReserveOutcome> {
      const totals: Record<string, number> = {};
      for (const amounts of Object.values(pin)) for (const [type, amount] of Object.entries(amounts)) totals[type] = (totals[type] ?? 0) + amount;
      const deadline = Math.round(clock.now() + allocationTimeoutS * 1000);
      const request = { allocation_id, requester_id: 'execution', holder, priority: 0, ttl: ttl_s, resources: Object.entries(totals).map(([type, amount]) => ({ type, amount })), deadline, pin };
      // Asked again until decided (idempotent by id); a pool still taking office is waited for.
      while (clock.now() < deadline + 5_000) {
        const reply = await ask<ResourcePoolMessage, AllocateReply>(pool(), (r) => ({ type: 'allocate', request, reply: r }), 5_000).catch(() => ({ waiting: true as const }));
        if ('granted' in reply) {
          if (reply.granted) return { ok: true };
          const short = reply.shortfall.map((s) => `${s.type}: ${s.requested} ${s.unit} asked, ${s.available} available`).join(', ');
          return { ok: false, reason: `${reply.reason}${short ? `; ${short}` : ''}` };
        }
        await sleep(POLL_MS);
      }
      return { ok: false, reason: 'no answer from the resource pool before the allocation timeout' };
    },
    async release(allocationId) {
      // The pool takes office a moment after the coordinator does: wait for it (a lasting loss of
      // office leaves the reservation to its ttl, or to the next coordinator's release).
      const giveUpAt = clock.now() + RELEASE_PATIENCE_MS;
      for (;;) {
        const released = await ask<ResourcePoolMessage, boolean | 'not_in_office'>(pool(), (r) => ({ type: 'release', allocation_id: allocationId, reply: r }), 5_000).catch(() => 'not_in_office' as const);
        if (released === true) return;
        if (released === false) throw new McpError('ALLOCATION_NOT_FOUND', `no allocation ${allocationId}`);
        if (clock.now() > giveUpAt) throw new McpError('NOT_COORDINATOR', 'the pool is not in office here');
        await sleep(POLL_MS);
      }
    },
  };
}
