// The breakdown of the chosen cell, drawn as a stacked bar against the card's usable memory and the rule's budget.
(function () {
  var cells = JSON.parse(document.getElementById('cells').textContent);
  var colours = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
  var NS = 'http://www.w3.org/2000/svg';
  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function td(text) { var t = document.createElement('td'); t.textContent = text; return t; }
  function select(i) {
    var c = cells[i];
    if (!c) { return; }
    document.querySelectorAll('#matrix td.selected').forEach(function (t) { t.classList.remove('selected'); });
    var cellEl = document.querySelector('#matrix td[data-i="' + i + '"]');
    if (cellEl) { cellEl.classList.add('selected'); }
    document.getElementById('bd-title').textContent = c.workload + ' on ' + c.gpu + ' (' + c.mode + ')';
    var svg = document.getElementById('bd-svg');
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    var table = document.getElementById('bd-table');
    table.innerHTML = '';
    var summary = document.getElementById('bd-summary');
    if (!c.feasible) {
      summary.textContent = 'Infeasible, decided by "' + c.rule + '": ' + c.reason;
      summary.className = 'bad';
      svg.setAttribute('height', '0');
      return;
    }
    summary.className = '';
    summary.textContent = c.precision + ', ' + c.input + ', batch ' + c.batch + (c.accum > 1 ? ' x ' + c.accum + ' accumulation steps' : '')
        + ': ' + c.device_human + ' of ' + c.usable_human + ' usable (' + Math.round(100 * c.utilization) + '%), chosen by "' + c.rule + '"';
    var W = 760, X0 = 10, BAR_Y = 34, BAR_H = 34;
    var top = Math.max(c.usable, c.device, c.budget || 0) * 1.04;
    function x(bytes) { return X0 + (W - 2 * X0) * bytes / top; }
    svg.setAttribute('viewBox', '0 0 ' + W + ' 130');
    svg.setAttribute('height', '130');
    svg.appendChild(el('rect', {x: X0, y: BAR_Y, width: x(c.usable) - X0, height: BAR_H, fill: '#f1f3f6', stroke: '#c5ccd6'}));
    var at = 0;
    c.breakdown.forEach(function (part, k) {
      if (part[1] <= 0) { return; }
      var r = el('rect', {x: x(at), y: BAR_Y, width: Math.max(0.5, x(at + part[1]) - x(at)), height: BAR_H, fill: colours[k % colours.length], 'class': 'part'});
      r.appendChild(el('title', {}, part[0] + ': ' + part[2]));
      svg.appendChild(r);
      at += part[1];
    });
    svg.appendChild(el('line', {x1: x(c.usable), x2: x(c.usable), y1: BAR_Y - 14, y2: BAR_Y + BAR_H + 14, stroke: '#1d2430', 'stroke-width': 2}));
    svg.appendChild(el('text', {x: x(c.usable), y: BAR_Y + BAR_H + 30, 'text-anchor': 'end'}, 'usable ' + c.usable_human));
    if (c.budget) {
      svg.appendChild(el('line', {x1: x(c.budget), x2: x(c.budget), y1: BAR_Y - 14, y2: BAR_Y + BAR_H + 14, stroke: '#c0392b', 'stroke-width': 2, 'stroke-dasharray': '5 4'}));
      svg.appendChild(el('text', {x: x(c.budget), y: BAR_Y - 18, 'text-anchor': 'end', fill: '#c0392b'}, 'budget ' + c.budget_human + ' ("' + c.budget_rule + '")'));
    }
    svg.appendChild(el('text', {x: X0, y: BAR_Y + BAR_H + 30}, 'needs ' + c.device_human));
    c.breakdown.forEach(function (part, k) {
      if (part[1] <= 0) { return; }
      var tr = document.createElement('tr');
      var name = document.createElement('td');
      var sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = colours[k % colours.length];
      name.appendChild(sw);
      name.appendChild(document.createTextNode(part[0]));
      tr.appendChild(name);
      tr.appendChild(td(part[2]));
      tr.appendChild(td(Math.round(1000 * part[1] / c.usable) / 10 + '% of usable'));
      table.appendChild(tr);
    });
    if (history.replaceState) { history.replaceState(null, '', '#cell=' + i); }
  }
  document.getElementById('matrix').addEventListener('click', function (e) {
    var t = e.target.closest('td.cell');
    if (t) { select(+t.getAttribute('data-i')); }
  });
  var m = /cell=(\d+)/.exec(location.hash);
  var first = cells.findIndex(function (c) { return c.feasible; });
  select(m ? +m[1] : (first >= 0 ? first : 0));
})();
