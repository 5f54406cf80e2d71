// Renders the self-contained HTML report from the JSON embedded in the page (no network).
(function () {
  'use strict';
  var C = window.McpCharts;
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var r = data.report;
  var s = r.summary;
  var root = document.getElementById('report');

  var D = window.McpDom;
  var el = D.el;
  var fmt = D.fmt;
  function section(title, children) { return el('section', {}, [el('h2', { text: title })].concat(children)); }
  var table = D.table;
  var PCT = ['min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p999', 'max'];
  function pctRow(label, f) { return [label].concat(PCT.map(function (k) { return fmt(f[k], 3); })); }
  function summaryRow(label, x) {
    return [label, fmt(x.total_requests, 0), fmt(x.requests_per_second), fmt(x.failed_requests, 0), fmt(x.error_rate * 100, 2) + ' %', fmt(x.latency_ms.p50, 3), fmt(x.latency_ms.p95, 3), fmt(x.latency_ms.p99, 3), fmt(x.latency_ms.max, 3)];
  }
  var SUMMARY_HEAD = ['requests', 'req/s', 'failed', 'error rate', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'];
  function counts(obj) { return Object.keys(obj).sort().map(function (k) { return [k, fmt(obj[k], 0)]; }); }

  var passed = r.thresholds.every(function (t) { return t.passed; });
  root.appendChild(el('header', {}, [
    el('h1', { text: r.name }),
    el('span', { class: 'badge ' + r.status, text: r.status }),
    r.thresholds.length ? el('span', { class: 'badge ' + (passed ? 'pass' : 'fail'), text: passed ? 'thresholds passed' : 'thresholds failed' }) : null,
    el('p', { class: 'muted', text: 'execution ' + r.execution_id + ' · ' + r.started_at + ' → ' + r.finished_at + ' · ' + fmt(r.duration_s) + ' s · generated ' + data.generated_at }),
  ]));

  var tiles = [['requests', fmt(s.total_requests, 0)], ['requests/s', fmt(s.requests_per_second)], ['failed', fmt(s.failed_requests, 0)], ['error rate', fmt(s.error_rate * 100, 2) + ' %'],
    ['dropped', fmt(s.dropped_requests, 0)], ['p50', fmt(s.latency_ms.p50, 2) + ' ms'], ['p95', fmt(s.latency_ms.p95, 2) + ' ms'], ['p99', fmt(s.latency_ms.p99, 2) + ' ms'],
    ['received', fmt(s.bytes_received / 1024, 1) + ' KiB'], ['sent', fmt(s.bytes_sent / 1024, 1) + ' KiB']];
  root.appendChild(el('div', { class: 'tiles' }, tiles.map(function (t) { return el('div', { class: 'tile' }, [el('b', { text: t[1] }), el('span', { text: t[0] })]); })));

  var charts = el('div', { class: 'charts' });
  root.appendChild(section('Over time', [charts]));
  var bySeries = { '*': data.series.merged };
  Object.keys(data.series.nodes).forEach(function (k) { bySeries[k] = data.series.nodes[k]; });
  var keys = ['*'].concat(Object.keys(data.series.nodes));
  // Every host in the grid first, so each chart is sized to its own column.
  var hosts = ['rps', 'latency', 'errors'].map(function (kind) {
    var host = el('div', { class: 'chart', 'data-kind': kind });
    charts.appendChild(host);
    return host;
  });
  hosts.forEach(function (host) {
    C.create(host, host.getAttribute('data-kind'), keys, host.clientWidth || 420).update(bySeries);
  });

  root.appendChild(section('Percentiles (ms)', [table(['', 'min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'], [pctRow('latency (from the intended start)', s.latency_ms), pctRow('service time (from the send)', s.service_time_ms)], 1)]));
  root.appendChild(section('Per target', [table(['target'].concat(SUMMARY_HEAD), r.targets.map(function (t) { return summaryRow((t.name ? t.name + ' ' : '') + t.method + ' ' + t.url + (t.task !== undefined ? ' (task ' + t.task + ')' : ''), t); }), 1)]));
  root.appendChild(section('Per node', [table(['node'].concat(SUMMARY_HEAD), data.nodes.map(function (n) { return summaryRow(n.node_id, n.summary); }), 1)]));
  root.appendChild(el('div', { class: 'cols' }, [
    section('Status codes', [table(['status', 'responses'], counts(s.status_codes), 1)]),
    section('Errors', [Object.keys(s.errors).length ? table(['kind', 'count'], counts(s.errors), 1) : el('p', { class: 'muted', text: 'no errors' })]),
  ]));
  root.appendChild(section('Thresholds', [r.thresholds.length ? table(['threshold', 'actual', 'result'], r.thresholds.map(function (t) {
    return [(t.target ? t.target + ': ' : '') + t.expression, fmt(t.actual, 3), t.passed ? 'pass' : 'fail'];
  }), 1) : el('p', { class: 'muted', text: 'no thresholds in this plan' })]));
  root.appendChild(section('Plan', [el('pre', { text: typeof data.plan === 'string' ? data.plan : JSON.stringify(data.plan, null, 2) })]));
  document.body.setAttribute('data-rendered', 'true');
})();
