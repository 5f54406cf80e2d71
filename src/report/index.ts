// The report model: what a run, or many peers' merged runs, tell a user.
export { buildReport, reportOf, thresholdsPassed, timeseriesCsv, type BuildReportInput, type FinishedRun, type LoadReport, type TargetReport } from './load-report.js';
export { executionReport, type ExecutionReport, type ExecutionReportInput } from './execution-report.js';
