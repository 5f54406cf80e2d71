// Part of the composition root (src/peer.ts): the direct messages that reach the coordinator actor from
// other peers (submit, cancel, results), answered through its mailbox.
import { ask } from '../actor/ask.js';
import type { ActorRef } from '../actor/types.js';
import { PermanentError, errorMessage, type ValidationError } from '../errors.js';
import type { ExecutionDoc } from '../execution/contract.js';
import type { PeerGuard } from '../guardrails/peer-guard.js';
import { validatePlan, type Plan } from '../plan/index.js';
import type { PeerMessenger } from '../protocol/peer-messenger.js';
import type { ShareReply } from '../protocol/peer-protocol.js';
import { redactSecrets } from '../security/secrets.js';
import { isWorkload } from '../plan/workload.js';
import type { CoordinatorMessage, Outcome } from '../../actors/coordinator/messages.js';

async function unwrap<T>(outcome: Promise<Outcome<T>>): Promise<T> {
  const result = await outcome;
  if (!result.ok) throw result.error;
  return result.value;
}

export interface ExecutionRequestsDeps {
  messenger: PeerMessenger;
  coordinator: ActorRef<CoordinatorMessage>;
  guard: Pick<PeerGuard, 'admitExecution' | 'asPermanent'>;
  /** A workload (`scenarios`) instead of a plan: placed and run scenario by scenario. */
  workload(executionId: string, body: unknown): Promise<ExecutionDoc | undefined>;
}

export function serveExecutionRequests({ messenger, coordinator: coordinatorActor, guard, workload }: ExecutionRequestsDeps): void {
  messenger.on('execution.submit', async ({ execution_id, plan }) => {
    if (isWorkload(plan)) {
      const doc = await workload(execution_id, plan);
      return { doc: doc ? redactSecrets(doc) : null };
    }
    let valid: Plan;
    try {
      valid = validatePlan(plan);
    } catch (error) {
      // No retry can fix a plan.
      throw new PermanentError('PERMANENT_PLAN_INVALID', errorMessage(error), { details: (error as ValidationError).problems });
    }
    await guard.admitExecution(valid, execution_id).catch((error: unknown) => {
      throw guard.asPermanent(error);
    });
    const doc = await unwrap(
      ask<CoordinatorMessage, Outcome<ExecutionDoc | undefined>>(coordinatorActor, (reply) => ({ type: 'execution.submit', executionId: execution_id, plan: valid, source: plan, reply })),
    );
    // The reply is stored by the peer that took the plan: its secrets stay here, with the coordinator.
    return { doc: doc ? redactSecrets(doc) : null };
  });
  messenger.on('execution.cancel', async ({ execution_id }) => {
    const status = await unwrap(ask<CoordinatorMessage, Outcome<string>>(coordinatorActor, (reply) => ({ type: 'execution.cancel', executionId: execution_id, reply })));
    return { status: status as ExecutionDoc['status'] };
  });
  messenger.on('share.renew', (r, from) => unwrap(ask<CoordinatorMessage, Outcome<ShareReply>>(coordinatorActor, (reply) => ({ type: 'execution.renew', executionId: r.execution_id, from, reply }))));
  messenger.on('results.delta', (d, from) =>
    unwrap(
      ask<CoordinatorMessage, Outcome<ShareReply>>(coordinatorActor, (reply) => ({
        type: 'execution.delta',
        executionId: d.execution_id,
        from,
        task: d.task,
        delta: d.delta,
        reply,
      })),
    ),
  );
}
