// GET /api/executions/:id/report.html: the execution's report as one self-contained HTML file.
import type { Store } from '../../store/store.js';
import type { ExecutionDoc } from '../../execution/contract.js';
import { htmlReport } from '../../report/html/html-report.js';
import { storedReportData } from '../../report/html/report-data.js';
import { mergedResults } from '../../execution/view.js';
import type { ExecutionReport } from '../../report/index.js';
import { reportWithSections } from './test-types.js';
import { HttpError, type Router } from '../router.js';

export function reportRoutes(router: Router, store: Store): void {
  router.on('GET', '/api/executions/:id/report.html', (req) => {
    const stored = store.getExecution(req.params.id!);
    if (!stored) throw new HttpError(404, 'EXECUTION_NOT_FOUND', `no execution ${req.params.id}`);
    const doc = stored.doc as ExecutionDoc;
    const now = Date.now();
    const data = storedReportData(store, doc, now);
    // The test types' sections (breaking point, baseline, findings, gate), as GET /api/executions/{id} shows them.
    const report = reportWithSections({ store, resultsOf: (d) => mergedResults(d, store.deltas(d.execution_id)) }, doc, data.report as ExecutionReport, now);
    const html = htmlReport({ ...data, report });
    const file = `${doc.name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'report'}-${doc.execution_id.slice(0, 8)}.html`;
    return { text: html, contentType: 'text/html; charset=utf-8', headers: { 'content-disposition': `inline; filename="${file}"` } };
  });
}
