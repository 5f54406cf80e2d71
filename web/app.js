// The live page: one EventSource on /api/events. The peer sends a snapshot (every point so far) and then
// shared updates (only the seconds that changed); the page keeps the series and redraws what is shown.
(function () {
  'use strict';
  var C = window.McpCharts;
  var state = { nodes: [], executions: [], live: {}, series: {}, selected: null, charts: null, chartKeys: '' };
  // Read by tests and the benchmark: how many updates arrived, and when the newest delta was shown.
  var probe = (window.__mcp = { updates: 0, points: 0, chartPoints: 0, lastShown: null, delays: [], serverDelays: [], errors: [] });

  function $(id) { return document.getElementById(id); }
  var el = window.McpDom.el;
  function fill(tbody, rows) { tbody.replaceChildren.apply(tbody, rows); }
  function fmt(n, d) { return n === null || n === undefined ? '—' : Number(n).toLocaleString(undefined, { maximumFractionDigits: d === undefined ? 1 : d }); }
  function progressBar(pct) { var bar = el('div', { class: 'progress' }, [el('div')]); bar.firstChild.style.width = pct + '%'; return bar; }
  function badge(text, cls) { return el('span', { class: 'badge ' + (cls || text), text: text }); }

  function renderNodes() {
    $('node-count').textContent = state.nodes.filter(function (n) { return n.status === 'alive'; }).length + ' alive';
    fill($('nodes').tBodies[0], state.nodes.map(function (n) {
      var h = n.health;
      return el('tr', { 'data-node': n.node_id }, [
        el('td', { title: n.node_id, text: C.shortId(n.node_id) + (n.is_self ? ' (this peer)' : '') }),
        el('td', {}, [badge(n.status)]),
        el('td', { text: n.is_coordinator ? 'coordinator' : '' }),
        el('td', { text: n.capabilities.join(', ') }),
        el('td', { text: n.location }),
        el('td', {}, [h ? badge(fmt(h.health_score, 0), h.status) : el('span', { class: 'muted', text: 'not sampled' })]),
        el('td', { class: 'num', text: h ? fmt(h.cpu_percent) + ' %' : '—' }),
        el('td', { class: 'num', text: h ? fmt(h.memory_percent) + ' %' : '—' }),
      ]);
    }));
  }

  function isActive(status) { return status === 'pending' || status === 'running'; }

  function cancel(id) {
    fetch('/api/executions/' + encodeURIComponent(id), { method: 'DELETE' }).then(function (r) {
      if (!r.ok) return r.json().then(function (b) { alert('cancel failed: ' + b.error.message); });
    });
  }

  function renderExecutions() {
    fill($('executions').tBodies[0], state.executions.map(function (e) {
      var live = state.live[e.execution_id];
      var pct = live ? live.progress_percent : e.progress_percent;
      return el('tr', { class: e.execution_id === state.selected ? 'selected' : '' }, [
        // A live execution opens here; one long over opens as its report.
        el('td', {}, [live
          ? el('button', { class: 'link', type: 'button', text: e.name, onclick: function () { select(e.execution_id); } })
          : el('a', { href: '/api/executions/' + encodeURIComponent(e.execution_id) + '/report.html', target: '_blank', text: e.name })]),
        el('td', {}, [badge(live ? live.status : e.status)]),
        el('td', {}, [progressBar(pct), el('span', { class: 'muted', text: fmt(pct, 0) + ' %' })]),
        el('td', { text: new Date(e.created_at).toLocaleTimeString() }),
        el('td', {}, [
          isActive(e.status) ? el('button', { type: 'button', text: 'Cancel', onclick: function () { cancel(e.execution_id); } }) : null,
          el('a', { href: '/api/executions/' + encodeURIComponent(e.execution_id) + '/report.html', target: '_blank', text: ' report' }),
        ]),
      ]);
    }));
  }

  function select(id) {
    state.selected = id;
    state.chartKeys = '';
    renderExecutions();
    renderSelected();
  }

  function tiles(live) {
    var s = live.summary;
    var items = [['requests', fmt(s.total_requests, 0)], ['requests/s', fmt(s.requests_per_second)], ['errors', fmt(s.failed_requests, 0)],
      ['error rate', fmt(s.error_rate * 100, 2) + ' %'], ['p50', fmt(s.p50_ms, 2) + ' ms'], ['p95', fmt(s.p95_ms, 2) + ' ms'], ['p99', fmt(s.p99_ms, 2) + ' ms'], ['dropped', fmt(s.dropped_requests, 0)]];
    return items.map(function (i) { return el('div', { class: 'tile' }, [el('b', { text: i[1] }), el('span', { text: i[0] })]); });
  }

  /** While running, a node's newest second is still filling (its next delta adds to it), and the merged
   *  one until every node still running has reported it: show them once complete rather than as a false
   *  dip. A node whose share ended has nothing more to add. */
  function trimFilling(bySeries, running) {
    var newest = {};
    Object.keys(bySeries).forEach(function (k) {
      newest[k] = bySeries[k].reduce(function (m, p) { return Math.max(m, p.t); }, -1);
      if (running[k]) bySeries[k] = bySeries[k].filter(function (p) { return p.t < newest[k]; });
    });
    var nodes = Object.keys(newest).filter(function (k) { return running[k]; });
    if (!nodes.length) return;
    var complete = Math.min.apply(null, nodes.map(function (k) { return newest[k]; }));
    bySeries[C.MERGED] = (bySeries[C.MERGED] || []).filter(function (p) { return p.t < complete; });
  }

  function renderCharts(live) {
    var series = state.series[live.execution_id] || {};
    var keys = Object.keys(series).sort(function (a, b) { return a === C.MERGED ? -1 : b === C.MERGED ? 1 : a < b ? -1 : 1; });
    if (keys.indexOf(C.MERGED) < 0) keys.unshift(C.MERGED);
    var sig = live.execution_id + '|' + keys.join(',');
    if (sig !== state.chartKeys) {
      if (state.charts) state.charts.forEach(function (c) { c.destroy(); });
      state.chartKeys = sig;
      state.charts = ['rps', 'latency', 'errors'].map(function (kind) {
        var host = $('chart-' + kind);
        host.replaceChildren();
        return C.create(host, kind, keys, host.clientWidth || 400);
      });
    }
    var bySeries = {};
    keys.forEach(function (k) {
      var m = series[k] || {};
      bySeries[k] = Object.keys(m).map(function (t) { return m[t]; });
    });
    if (isActive(live.status)) {
      var running = {};
      live.nodes.forEach(function (n) { if (n.state === 'running' || n.state === 'assigned') running[n.node_id] = true; });
      trimFilling(bySeries, running);
    }
    state.charts.forEach(function (c) { c.update(bySeries); });
    probe.chartPoints = state.charts[0].plot.data[0].length;
  }

  function renderSelected() {
    var live = state.live[state.selected];
    var section = $('execution');
    if (!live) { section.hidden = true; return; }
    section.hidden = false;
    $('ex-name').textContent = live.name;
    var st = $('ex-status'); st.textContent = live.status; st.className = 'badge ' + live.status;
    $('ex-cancel').hidden = !isActive(live.status);
    $('ex-report').href = '/api/executions/' + encodeURIComponent(live.execution_id) + '/report.html';
    $('ex-progress').style.width = live.progress_percent + '%';
    $('ex-tiles').replaceChildren.apply($('ex-tiles'), tiles(live));
    fill($('ex-thresholds').tBodies[0], live.thresholds.length ? live.thresholds.map(function (t) {
      return el('tr', {}, [el('td', { text: (t.target ? t.target + ': ' : '') + t.expression }), el('td', { class: 'num', text: fmt(t.actual, 3) }), el('td', {}, [badge(t.passed ? 'pass' : 'fail')])]);
    }) : [el('tr', {}, [el('td', { class: 'muted', text: 'no thresholds in this plan' })])]);
    fill($('ex-nodes').tBodies[0], live.nodes.map(function (n) {
      return el('tr', {}, [el('td', { title: n.node_id, text: C.shortId(n.node_id) }), el('td', {}, [badge(n.state)]), el('td', { class: 'num', text: fmt(n.requests, 0) }), el('td', { class: 'num', text: fmt(n.errors, 0) })]);
    }));
    renderCharts(live);
  }

  function apply(msg, full) {
    state.nodes = msg.nodes;
    state.executions = msg.executions;
    var live = {};
    msg.live.forEach(function (e) {
      live[e.execution_id] = e;
      var series = (state.series[e.execution_id] = full ? {} : state.series[e.execution_id] || {});
      Object.keys(e.points).forEach(function (key) {
        var m = (series[key] = series[key] || {});
        e.points[key].forEach(function (p) { m[p.t] = p; probe.points++; });
      });
    });
    state.live = live;
    var running = msg.live.filter(function (e) { return isActive(e.status); });
    if (!state.selected || !live[state.selected]) {
      var pick = running[0] || msg.live[0];
      if (pick && pick.execution_id !== state.selected) { state.selected = pick.execution_id; state.chartKeys = ''; }
    }
    $('self').textContent = msg.coordinator ? 'coordinator …' + msg.coordinator.node_id.slice(-8) + ' (term ' + msg.coordinator.term + ')' : 'no coordinator in office';
    renderNodes();
    renderExecutions();
    renderSelected();
    probe.updates++;
    var shownAt = Date.now();
    // Display delay of new results: from the peer seeing the delta to this page having drawn it.
    if (!full && probe.lastShown && msg.seen_at !== probe.lastShown.seen_at && probe.delays.length < 10000) {
      probe.delays.push(shownAt - msg.seen_at);
      probe.serverDelays.push(msg.now - msg.seen_at);
    }
    probe.lastShown = { seen_at: msg.seen_at, sent_at: msg.now, shown_at: shownAt };
  }

  function status(text, cls) { var c = $('conn'); c.textContent = text; c.className = 'badge ' + cls; }

  /** One event stream per browser: a browser allows 6 connections to a host, and each open stream holds
   *  one. The tab holding the lock streams and re-broadcasts; the others start from a snapshot and listen. */
  function connect() {
    if (!window.BroadcastChannel || !navigator.locks) return stream(null);
    var channel = new BroadcastChannel('mcp-live:' + location.host);
    var leading = false;
    var pending = [];
    var snapshotAt = null;
    channel.onmessage = function (ev) {
      if (leading) return;
      if (snapshotAt === null) { pending.push(ev.data); return; }
      if (ev.data.now > snapshotAt) apply(ev.data, false);
    };
    fetch('/api/live').then(function (r) { return r.json(); }).then(function (snap) {
      if (leading) return;
      snapshotAt = snap.now;
      apply(snap, true);
      pending.forEach(function (m) { if (m.now > snapshotAt) apply(m, false); });
      pending = [];
      status('live (shared)', 'live');
    }).catch(function (e) { status('offline', 'down'); probe.errors.push(String(e)); });
    navigator.locks.request('mcp-live:' + location.host, function () {
      leading = true;
      stream(channel);
      return new Promise(function () {}); // held while this tab lives
    });
  }

  function stream(channel) {
    var source = new EventSource('/api/events');
    source.addEventListener('open', function () { status('live', 'live'); });
    source.addEventListener('error', function () { status('reconnecting…', 'down'); });
    source.addEventListener('snapshot', function (ev) { apply(JSON.parse(ev.data), true); });
    source.addEventListener('update', function (ev) {
      var msg = JSON.parse(ev.data);
      apply(msg, false);
      if (channel) channel.postMessage(msg);
    });
  }

  function planFromForm(form) {
    var f = form.elements;
    if (f.plan.value.trim()) return JSON.parse(f.plan.value);
    var params = { targets: [{ url: f.url.value, method: f.method.value }], duration: f.duration.value, pattern: f.pattern.value, base_rps: Number(f.base_rps.value) };
    if (f.peak_rps.value) params.peak_rps = Number(f.peak_rps.value);
    var thresholds = f.thresholds.value.split('\n').map(function (s) { return s.trim(); }).filter(Boolean);
    if (thresholds.length) params.thresholds = thresholds;
    return { name: f.name.value, tasks: [{ type: 'load_test', parameters: params }] };
  }

  $('start').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var out = $('start-result');
    var plan;
    try { plan = planFromForm(ev.target); } catch (e) { out.textContent = 'the plan is not valid JSON: ' + e.message; out.className = 'error'; return; }
    out.textContent = 'starting…'; out.className = 'muted';
    fetch('/api/executions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan) })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (r) {
        if (r.ok) { out.textContent = 'started ' + r.body.execution_id; out.className = 'muted'; state.selected = r.body.execution_id; state.chartKeys = ''; return; }
        var details = Array.isArray(r.body.error.details) ? ': ' + r.body.error.details.map(function (d) { return d.path + ' ' + d.message; }).join('; ') : '';
        out.textContent = r.body.error.message + details; out.className = 'error';
      })
      .catch(function (e) { out.textContent = String(e); out.className = 'error'; });
  });
  $('ex-cancel').addEventListener('click', function () { if (state.selected) cancel(state.selected); });
  window.addEventListener('error', function (e) { probe.errors.push(String(e.message)); });
  connect();
})();
