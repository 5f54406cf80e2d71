// Guardrails: what a plan may ask of this peer (caps) and where it may aim (targets).
export { checkPlan, planUrls, checkTasks, guardPlan, guardTask, guardTasks, PlanRefusedError, PLAN_REFUSED } from './check-plan.js';
export { checkCaps, checkTaskCaps, requestBound, tasksOf, probeTargetsOf, CAP_EXCEEDED, type TaskAt } from './caps.js';
export { checkTargetUrl, resolveHosts, TARGET_NOT_ALLOWED, TARGET_IS_PEER, type Resolved } from './targets.js';
export { parseAllowList, parseAllowEntry, matchingEntries, type AllowList, type AllowEntry } from './allow-list.js';
export { policyFromConfig, limitsFromConfig, openPolicyWarning, settingName, type GuardPolicy, type GuardProblem, type Limits, type UnsetAllowList } from './policy.js';
export { isLoopback, isLocalHost, sensitiveKind, normaliseHost } from './addresses.js';
export { admitOneMore, TooManyExecutionsError, TOO_MANY_EXECUTIONS } from './admission.js';
export { peerGuard, tcpPorts, type PeerGuard } from './peer-guard.js';
