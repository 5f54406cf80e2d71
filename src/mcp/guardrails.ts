// The guardrails an agent works under: the peer's caps and target allow-list (src/guardrails), with an unset
// allow-list meaning loopback only, plus the confirmation threshold above which a person must agree.
import type { Config } from '../config/schema.js';
import { checkPlan, planUrls, policyFromConfig, resolveHosts, settingName } from '../guardrails/index.js';
import type { ConfirmThreshold } from './confirmations.js';
import type { Guardrails } from './tool.js';

export function mcpGuardrails(config: Config, ownPorts: number[]): Guardrails {
  // The configuration was validated at start, allow-list included.
  const { policy } = policyFromConfig(config, { whenUnset: 'loopback', ownPorts });
  const confirm: ConfirmThreshold = { requests: config.mcp.confirm_requests, rps: config.mcp.confirm_rps };
  return {
    confirm,
    async check(plan) {
      const resolved = await resolveHosts(planUrls(plan));
      return checkPlan(plan, policy, resolved);
    },
    describe: () => ({
      allowed_targets: policy.allowList ? config.security.allowed_targets : 'loopback only (unset)',
      allowed_targets_setting: settingName('security.allowed_targets'),
      limits: policy.limits,
      confirm_above_requests: confirm.requests,
      confirm_above_rps: confirm.rps,
    }),
  };
}
