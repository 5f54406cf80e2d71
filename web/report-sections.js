// The test types' sections of the self-contained HTML report: a stress test's breaking point, steps and
// curve (latency and errors against the rate), a performance test's comparison with its baseline, a
// security test's findings with their proof, and the gate. Reads the same embedded JSON as report.js.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var r = data.report;
  var root = document.getElementById('report');
  var parts = r.tasks ? r.tasks : [Object.assign({ task: 0 }, r)];
  var D = window.McpDom;
  var el = D.el;
  var fmt = D.fmt;
  var table = D.table;
  var label = function (p) { return parts.length > 1 ? ' (task ' + p.task + ')' : ''; };
  // Below the header: the verdict first.
  var anchor = root.querySelector('.tiles');
  function add(node) { root.insertBefore(node, anchor ? anchor.nextSibling : null); anchor = node; }

  if (r.gate) {
    add(el('section', { id: 'gate' }, [
      el('h2', {}, ['Gate ', el('span', { class: 'badge ' + (r.gate.passed ? 'pass' : 'fail'), text: r.gate.passed ? 'passed' : 'failed' })]),
      r.gate.failures.length ? el('ul', {}, r.gate.failures.map(function (f) { return el('li', { text: f }); })) : null,
    ]));
  }

  parts.forEach(function (p) {
    var st = p.stress;
    if (st) {
      var bp = st.breaking_point;
      var saturated = bp.cause === 'client_saturated';
      var steps = st.steps;
      var maxP99 = Math.max.apply(null, steps.map(function (x) { return x.latency_ms.p99; }).concat([1]));
      // The curve: p99 and error rate against the asked rate, one bar pair per step (no chart library needed).
      var curve = el('div', { class: 'curve' }, steps.map(function (x) {
        return el('div', { class: 'step ' + (x.passed ? 'pass' : 'fail'), title: x.rps + ' req/s: p99 ' + fmt(x.latency_ms.p99, 3) + ' ms, errors ' + fmt(x.error_rate * 100, 2) + ' %' }, [
          el('div', { class: 'bars' }, [
            el('i', { class: 'lat', style: 'height:' + Math.max(2, (x.latency_ms.p99 / maxP99) * 100) + 'px' }),
            el('i', { class: 'err', style: 'height:' + Math.max(0, Math.min(1, x.error_rate) * 100) + 'px' }),
          ]),
          el('span', { text: fmt(x.rps, 0) }),
        ]);
      }));
      add(el('section', { id: 'stress-' + p.task }, [
        el('h2', { text: 'Breaking point' + label(p) }),
        el('p', {}, [
          el('b', { text: 'last good ' + fmt(bp.last_good_rps) + ' req/s · first bad ' + fmt(bp.first_bad_rps) + ' req/s' }),
          ' ',
          el('span', { class: 'badge ' + (saturated ? 'fail' : st.status === 'held' ? 'pass' : ''), text: saturated ? 'generators saturated: not the target\'s limit' : st.status === 'held' ? 'held up to max_rps' : 'broken by ' + st.broken_by.join(', ') }),
        ]),
        st.note ? el('p', { class: 'muted', text: st.note }) : null,
        el('p', { class: 'muted', text: 'p99 latency (dark) and error rate (red) against the asked rate, per step' }),
        curve,
        table(['step req/s', 'achieved req/s', 'requests', 'errors', 'dropped', 'error rate', 'p50 ms', 'p99 ms', 'client saturated', 'objectives'], steps.map(function (x) {
          return [fmt(x.rps), fmt(x.achieved_rps), fmt(x.requests, 0), fmt(x.errors, 0), fmt(x.dropped, 0), fmt(x.error_rate * 100, 2) + ' %', fmt(x.latency_ms.p50, 3), fmt(x.latency_ms.p99, 3),
            x.client_saturated === null ? 'unknown' : x.client_saturated ? 'yes' : 'no', x.passed ? 'pass' : 'fail: ' + x.slo.filter(function (o) { return !o.passed; }).map(function (o) { return o.expression; }).join(', ')];
        }), 1, function (j) { return steps[j].passed ? '' : 'bad'; }),
      ]));
    }
    var b = p.baseline;
    if (b) {
      add(el('section', { id: 'baseline-' + p.task }, [
        el('h2', {}, ['Baseline' + label(p) + ' ', el('span', { class: 'badge ' + (b.passed ? 'pass' : 'fail'), text: b.passed ? 'no regression' : b.regressions.length + ' regression(s)' })]),
        el('p', { class: 'muted', text: 'compared with ' + b.source }),
        b.regressions.length ? el('ul', {}, b.regressions.map(function (x) { return el('li', { text: x }); })) : null,
        table(['metric', 'baseline', 'this run', 'change', 'allowed', 'result'], (b.metrics || []).map(function (m) {
          return [m.metric, fmt(m.baseline, 3), fmt(m.current, 3), m.change === null || m.change === undefined ? '—' : fmt(m.change * 100, 1) + ' %', fmt(m.tolerance * 100, 1) + ' %', m.regressed ? 'regression' : 'ok'];
        }), 1),
      ]));
    }
    var sec = p.security;
    if (sec) {
      add(el('section', { id: 'security-' + p.task }, [
        el('h2', { text: 'Security findings' + label(p) }),
        el('p', { class: 'muted', text: sec.target + ' · ' + sec.scan_types.join(', ') + ' · depth ' + sec.depth + ' · ' + sec.pages.length + ' page(s), ' + sec.requests_sent + ' requests · ' + sec.status + (sec.note ? ' (' + sec.note + ')' : '') }),
        sec.findings.length ? table(['severity', 'finding', 'where', 'proving request', 'evidence', 'remediation'], sec.findings.map(function (f) {
          var q = f.request;
          return [f.severity, f.title, f.url + (f.parameter ? ' [' + f.parameter + ']' : ''), q.method + ' ' + q.url + (q.body ? ' ' + q.body : ''), f.evidence, f.remediation];
        }), 99, function (j) { return 'sev-' + sec.findings[j].severity; }) : el('p', { text: 'no findings' }),
      ]));
    }
  });
})();
