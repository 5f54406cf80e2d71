// What the live page and the HTML report share to build their DOM (no framework): elements from a tag,
// attributes (`text`, `class`, `on<event>`) and children, and tables with numeric columns right-aligned.
(function () {
  'use strict';
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  /** Columns from `numericFrom` on are numbers; `rowClass(j)` gives a row its class. */
  function table(head, rows, numericFrom, rowClass) {
    return el('table', {}, [
      el('thead', {}, [el('tr', {}, head.map(function (h, i) { return el('th', { class: i >= numericFrom ? 'num' : '', text: h }); }))]),
      el('tbody', {}, rows.map(function (row, j) { return el('tr', { class: rowClass ? rowClass(j) : '' }, row.map(function (c, i) { return el('td', { class: i >= numericFrom ? 'num' : '', text: c }); })); })),
    ]);
  }
  /** A report's number: a dash when missing, `d` fraction digits at most (2 by default). */
  function fmt(n, d) { return n === null || n === undefined ? '—' : Number(n).toLocaleString('en', { maximumFractionDigits: d === undefined ? 2 : d }); }
  window.McpDom = { el: el, table: table, fmt: fmt };
})();
