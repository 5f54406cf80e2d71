// The library entry (`import { ... } from 'mcp-distributed-testing'`): start a peer, run a plan in this
// process, validate a plan, and drive a cluster over any peer's REST API.
import './polyfill.js';
export { startPeer, type StartPeerOptions, type CustomHealthCheck, type LibraryPeer, type PeerConfigInput } from './library/start-peer.js';
export type { PlanInput, LoadTaskInput, WorkloadInput, ScenarioInput } from './library/plan-input.js';
export { runPlan, runValidPlan, type RunPlanOptions, type RunPlanResult, type RunProgress } from './library/run-plan.js';
export {
  ClusterClient,
  ApiError,
  type ClusterClientOptions,
  type AllocationRequestInput,
  type Execution,
  type ExecutionStatus,
  type ExecutionSummary,
  type Health,
  type MemberFilter,
  type NodeInfo,
} from './library/cluster-client.js';
export { validatePlan, parsePlan, PATTERNS, HTTP_METHODS, LIMITS, type Plan, type PlanTask, type LoadTestTask, type LoadTask, type LoadTarget, type Pattern, type HttpMethod } from './plan/index.js';
export type { ExecutionReport, LoadReport, TargetReport } from './report/index.js';
export type { Peer } from './peer.js';
export type { Config } from './config/schema.js';
export type { Member } from './protocol/membership.js';
export { ConfigError } from './config/load.js';
export { McpError, ValidationError, type Problem } from './errors.js';
export { createLogger, silentLogger, type Logger, type LogLevel } from './util/log.js';
export { VERSION } from './version.js';
