// One self-contained HTML file: styles, uPlot, the report's script and its data inline, so it opens with
// no network at all and can be mailed or attached to a ticket.
import { asset } from '../../http/page/assets.js';
import type { ReportData } from './report-data.js';

/** JSON safe inside <script>: no `</script>` or `<!--` can end or change the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Inline script text must not contain a closing tag. */
const inlineScript = (code: string) => code.replace(/<\/script/gi, '<\\/script');

export function htmlReport(data: ReportData): string {
  const css = asset('uPlot.min.css')!.body + '\n' + asset('report.css')!.body;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(data.report.name)} — load test report</title>
<style>${css}</style>
</head>
<body>
<main id="report"><noscript>This report draws its tables and charts with JavaScript.</noscript></main>
<script id="report-data" type="application/json">${scriptJson(data)}</script>
<script>${inlineScript(asset('uPlot.min.js')!.body)}</script>
<script>${inlineScript(asset('dom.js')!.body)}</script>
<script>${inlineScript(asset('charts.js')!.body)}</script>
<script>${inlineScript(asset('report.js')!.body)}</script>
<script>${inlineScript(asset('report-sections.js')!.body)}</script>
</body>
</html>
`;
}
