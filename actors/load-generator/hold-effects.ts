// What the assignment actor does with the effects of a share's hold (share-hold.ts): a grant goes to
// every load run of the execution here (they enforce it themselves: fence.ts), a lapse only logs (the
// runs pause by themselves at the end of their last grant), a stop releases what moved and stops them.
import type { Plan } from '../../src/plan/index.js';
import { runIdOf } from '../../src/execution/contract.js';
import type { ActorRef } from '../../src/actor/types.js';
import type { Logger } from '../../src/util/log.js';
import { assertNever } from '../../src/util/assert-never.js';
import type { LoadGeneratorMessage } from './messages.js';
import type { HoldEffect } from './share-hold.js';

export interface HoldTarget {
  executionId: string;
  tasks: Plan['tasks'];
  self: string;
  generator: ActorRef<LoadGeneratorMessage>;
  log: Logger;
  /** Its runs are stopped already. */
  stopped: boolean;
  stop(): void;
}

export function applyHoldEffects(effects: readonly HoldEffect[], t: HoldTarget): void {
  // Scans (security_test) run apart, unfenced: they send a bounded set of probes, not a share of a rate.
  const tell = (make: (taskId: string) => LoadGeneratorMessage) =>
    t.tasks.forEach((task, i) => {
      if (task.type !== 'security_test') t.generator.tell(make(runIdOf(t.executionId, i, t.self)));
    });
  for (const effect of effects) {
    switch (effect.type) {
      case 'grant':
        tell((taskId) => ({ type: 'load.grant', taskId, from: effect.from, until: effect.until, sure: effect.sure }));
        break;
      case 'paused':
        t.log.warn('share lease lapsed: load paused, arrivals dropped until a coordinator vouches for it', { execution: t.executionId, since: effect.since });
        break;
      case 'resumed':
        t.log.info('share lease renewed: load resumed', { execution: t.executionId, paused_ms: effect.pausedMs });
        break;
      case 'stop': {
        const movedAt = effect.movedAt;
        if (movedAt !== undefined) tell((taskId) => ({ type: 'load.release', taskId, movedAt }));
        if (!t.stopped) t.log[effect.reason === 'execution over' ? 'info' : 'warn']('share no longer ours: stopping load', { execution: t.executionId, reason: effect.reason });
        t.stop();
        break;
      }
      default:
        assertNever(effect);
    }
  }
}
