// The self-contained HTML report of a run or an execution.
export { htmlReport } from './html-report.js';
export { reportData, storedReportData, mergeResults, type ReportData } from './report-data.js';
