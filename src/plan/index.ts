// The plan format: parse, validate, thresholds.
export { parsePlan, validatePlan, type Plan, type PlanTask, type LoadTestTask } from './plan.js';
export { validateLoadTask, checkLoadTask, DEFAULTS, type LoadTask, type LoadTarget, type Stage } from './load-task.js';
export { PATTERNS, HTTP_METHODS, LIMITS, type Pattern, type HttpMethod } from './load-task-schema.js';
export { parseDuration, durationSchema } from './duration.js';
export { PLAN_INVALID } from './problems.js';
export {
  parseThreshold,
  evaluateThresholds,
  resolveThresholdTarget,
  THRESHOLD_METRICS,
  ThresholdError,
  type ThresholdRule,
  type ThresholdSpec,
  type ThresholdResult,
  type ThresholdSubject,
  type ThresholdMetrics,
  type LatencyFigures,
} from './thresholds.js';
