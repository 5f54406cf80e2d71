// Charts shared by the live page and the HTML report: uPlot time charts of per-second series, one line per
// node plus the merged line. Points are { t, rps, errors, p50, p95, p99 }, t in seconds since the start.
(function () {
  'use strict';
  var COLORS = ['#2563eb', '#d97706', '#16a34a', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#dc2626'];
  var MERGED = '*';

  function shortId(id) {
    return id === MERGED ? 'all nodes' : id.length > 12 ? '…' + id.slice(-8) : id;
  }

  /** Aligns series (key → points) on the union of their seconds: uPlot's [xs, ys1, ys2, ...]. */
  function align(bySeries, lines) {
    var ts = {};
    lines.forEach(function (line) {
      (bySeries[line.key] || []).forEach(function (p) { ts[p.t] = true; });
    });
    var xs = Object.keys(ts).map(Number).sort(function (a, b) { return a - b; });
    var data = [xs];
    lines.forEach(function (line) {
      var byT = {};
      (bySeries[line.key] || []).forEach(function (p) { byT[p.t] = p; });
      data.push(xs.map(function (t) { return byT[t] ? byT[t][line.field] : null; }));
    });
    return data;
  }

  /** Lines of a chart: for rps/errors one per node and the merged one; for latency the merged percentiles. */
  function linesFor(kind, keys) {
    if (kind === 'latency') {
      var out = [
        { key: MERGED, field: 'p50', label: 'p50', color: '#16a34a', width: 2 },
        { key: MERGED, field: 'p95', label: 'p95', color: '#d97706', width: 2 },
        { key: MERGED, field: 'p99', label: 'p99', color: '#dc2626', width: 2 },
      ];
      var others = keys.filter(function (k) { return k !== MERGED; });
      if (others.length > 1) others.forEach(function (k, i) {
        out.push({ key: k, field: 'p95', label: 'p95 ' + shortId(k), color: COLORS[(i + 3) % COLORS.length], width: 1, dash: [4, 4] });
      });
      return out;
    }
    var field = kind === 'rps' ? 'rps' : 'errors';
    var nodes = keys.filter(function (k) { return k !== MERGED; });
    var lines = [{ key: MERGED, field: field, label: 'all nodes', color: '#111827', width: 2 }];
    if (nodes.length > 1) nodes.forEach(function (k, i) { lines.push({ key: k, field: field, label: shortId(k), color: COLORS[i % COLORS.length], width: 1 }); });
    return lines;
  }

  var TITLES = { rps: 'Requests per second', latency: 'Latency (ms)', errors: 'Errors per second' };

  /** A chart in `el`; returns { update(bySeries), lines }. */
  function create(el, kind, keys, width) {
    var lines = linesFor(kind, keys);
    var opts = {
      title: TITLES[kind],
      width: Math.max(280, width),
      height: 220,
      cursor: { drag: { x: false, y: false } },
      legend: { live: false },
      // x: seconds since the agreed start, the same clock for every node.
      scales: { x: { time: false }, y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.1)]; } } },
      axes: [{ incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600], values: function (u, vals) { return vals.map(function (v) { return v + ' s'; }); } }, {}],
      series: [{}].concat(lines.map(function (l) {
        return { label: l.label, stroke: l.color, width: l.width, dash: l.dash, spanGaps: true, points: { show: false } };
      })),
    };
    var plot = new uPlot(opts, align({}, lines), el);
    return {
      lines: lines,
      plot: plot,
      update: function (bySeries) { plot.setData(align(bySeries, lines)); },
      destroy: function () { plot.destroy(); },
    };
  }

  window.McpCharts = { create: create, align: align, shortId: shortId, MERGED: MERGED };
})();
