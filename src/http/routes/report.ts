// GET /api/executions/:id/report.html: the execution's report as one self-contained HTML file.
import type { Store } from '../../store/store.js';
import type { ExecutionDoc } from '../../execution/contract.js';
import { htmlReport } from '../../report/html/html-report.js';
import { storedReportData } from '../../report/html/report-data.js';
import { HttpError, type Router } from '../router.js';

export function reportRoutes(router: Router, store: Store): void {
  router.on('GET', '/api/executions/:id/report.html', (req) => {
    const stored = store.getExecution(req.params.id!);
    if (!stored) throw new HttpError(404, 'EXECUTION_NOT_FOUND', `no execution ${req.params.id}`);
    const doc = stored.doc as ExecutionDoc;
    const html = htmlReport(storedReportData(store, doc, Date.now()));
    const file = `${doc.name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'report'}-${doc.execution_id.slice(0, 8)}.html`;
    return { text: html, contentType: 'text/html; charset=utf-8', headers: { 'content-disposition': `inline; filename="${file}"` } };
  });
}
