// The plan format: parse, validate, thresholds.
export { parsePlan, validatePlan, isLoadLike, loadTaskOf, durationOf, type Plan, type PlanTask, type LoadTestTask, type LoadLikeTask, type PerformanceTestTask, type StressTestTask, type SecurityTestTask } from './plan.js';
export { checkPerformanceTask, type PerformanceTask } from './performance-task.js';
export { checkStressTask, planAsRun, stressSteps, MAX_STEPS, type StressTask, type StressSpec, type StressStep } from './stress-task.js';
export { checkSecurityTask, validateSecurityTask, SCAN_TYPES, DEPTHS, DEPTH_LIMITS, type SecurityTask, type ScanType, type Depth } from './security-task.js';
export { compareWithBaseline, baselineSpec, DEFAULT_TOLERANCES, LATENCY_METRICS, type BaselineSpec, type BaselineComparison, type BaselineFigures, type Tolerances, type MetricComparison } from './baseline.js';
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
