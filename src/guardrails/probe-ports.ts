// The guardrails of security probes: the scan's target is admitted with the plan like any target
// (check-plan.ts), and every URL a scan requests is checked again against the allow-list before it is sent.
import type { Clock } from '../util/clock.js';
import { PlanRefusedError } from './check-plan.js';
import type { GuardPolicy } from './policy.js';
import { checkTargetUrl } from './targets.js';

/** What a scan needs from its host: the clock, a pause, and the per-request allow-list check. */
export function probePorts(clock: Clock, policy: GuardPolicy) {
  return {
    now: () => clock.now(),
    sleep: (ms: number) => new Promise<void>((resolve) => clock.schedule(resolve, ms)),
    allowTarget(url: string) {
      const problem = checkTargetUrl(url, 'target', policy);
      if (problem) throw new PlanRefusedError([problem]);
    },
  };
}
