// The self-contained HTML report.
export { htmlReport } from './html-report.js';
export { reportData, storedReportData, mergeResults, type ReportData } from './report-data.js';
