// Bunting's rollout page: renders the data the server put in the page, then follows /ui/events (server-sent events).
// Plain DOM: every text from the cluster goes through textContent, never innerHTML.
'use strict';
(function () {
  const initial = JSON.parse(document.getElementById('bunting-data').textContent);
  const main = document.getElementById('main');
  const TOKEN_KEY = 'bunting.token';
  let state = initial.data;
  const view = initial.view;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  const svgNs = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    const e = document.createElementNS(svgNs, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function ago(ts) {
    if (!ts) return '-';
    const s = Math.round((Date.now() - Date.parse(ts)) / 1000);
    if (isNaN(s)) return ts;
    if (s < 90) return s + 's ago';
    if (s < 5400) return Math.round(s / 60) + 'm ago';
    if (s < 129600) return Math.round(s / 3600) + 'h ago';
    return Math.round(s / 86400) + 'd ago';
  }
  const time = ts => el('time', {datetime: ts, title: ts}, ts ? new Date(ts).toLocaleTimeString() : '-');
  const phase = (p, shown) => el('span', {class: 'phase ' + p}, shown || p);
  const canaryUrl = c => '/ui/canaries/' + encodeURIComponent(c.namespace) + '/' + encodeURIComponent(c.name);

  // ---------------------------------------------------------------------------------------------- token / mode
  const tokenInput = document.getElementById('token');
  const token = () => sessionStorage.getItem(TOKEN_KEY);
  function showMode() {
    document.getElementById('mode').textContent = token() ? 'actions: with your token' : 'read-only';
    document.querySelectorAll('button.action').forEach(b => { b.disabled = !token(); });
  }
  document.getElementById('token-form').addEventListener('submit', ev => {
    ev.preventDefault();
    if (tokenInput.value.trim()) sessionStorage.setItem(TOKEN_KEY, tokenInput.value.trim());
    tokenInput.value = '';
    showMode();
  });
  document.getElementById('forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showMode();
  });

  // ---------------------------------------------------------------------------------------------- list
  function canaryRow(c) {
    return el('tr', {'data-key': c.namespace + '/' + c.name, class: 'canary'},
      el('td', {}, c.namespace),
      el('td', {}, el('a', {href: canaryUrl(c)}, c.name)),
      el('td', {}, phase(c.phase, c.phaseShown)),
      el('td', {class: 'num weight'}, c.weight + '%'),
      el('td', {class: 'num'}, c.failedChecks + '/' + c.threshold),
      el('td', {}, c.revision, c.gitCommit ? el('div', {class: 'muted'}, c.gitCommit) : null),
      el('td', {title: c.since || ''}, ago(c.since)),
      el('td', {class: 'muted'}, c.lastDecision));
  }
  function gitSyncRow(g) {
    return el('tr', {'data-key': g.namespace + '/' + g.name, class: 'gitsync'},
      el('td', {}, g.namespace), el('td', {}, g.name), el('td', {}, g.revision || '-'),
      el('td', {class: g.ready === 'True' ? 'pass' : g.ready === 'False' ? 'fail' : ''}, g.ready,
        g.reason ? ' (' + g.reason + ')' : ''),
      el('td', {title: g.lastSync || ''}, ago(g.lastSync)),
      el('td', {class: 'muted'}, g.message || ''));
  }
  function table(headers, rows, id) {
    return el('table', {id},
      el('thead', {}, el('tr', {}, headers.map(h => el('th', {}, h)))),
      el('tbody', {}, rows));
  }
  function renderList() {
    main.replaceChildren(
      el('h1', {}, 'Canaries'),
      state.canaries.length ? table(['Namespace', 'Name', 'Phase', 'Weight', 'Failed', 'Revision', 'Since',
        'Last decision'], state.canaries.map(canaryRow), 'canaries') : el('p', {class: 'muted'}, 'No canaries.'),
      el('h2', {}, 'GitSyncs'),
      !state.gitSyncEnabled ? el('p', {class: 'muted'}, 'GitSync is not installed.')
        : state.gitSyncs.length ? table(['Namespace', 'Name', 'Revision', 'Ready', 'Last sync', 'Message'],
          state.gitSyncs.map(gitSyncRow), 'gitsyncs') : el('p', {class: 'muted'}, 'No GitSyncs.'));
  }
  function upsert(list, row) {
    const i = list.findIndex(x => x.namespace === row.namespace && x.name === row.name);
    if (i >= 0) list[i] = row; else list.push(row);
    list.sort((a, b) => (a.namespace + '/' + a.name).localeCompare(b.namespace + '/' + b.name));
  }

  // ---------------------------------------------------------------------------------------------- one canary
  const ACTIONS = [['promote', {}], ['promote', {force: true}], ['abort', {}], ['retry', {}], ['pause', {}],
    ['resume', {}]];
  function act(name, body) {
    const out = document.getElementById('action-result');
    const what = name + (body.force ? ' --force' : '');
    if (!confirm('Request ' + what + ' of canary ' + initial.namespace + '/' + initial.name + '?')) return;
    out.textContent = 'requesting ' + what + '…';
    fetch('/ui/api/canaries/' + encodeURIComponent(initial.namespace) + '/' + encodeURIComponent(initial.name)
      + '/actions/' + name, {method: 'POST', credentials: 'omit',
      headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token()}, body: JSON.stringify(body)})
      .then(r => r.json().then(j => ({status: r.status, j})))
      .then(({status, j}) => {
        out.className = status === 202 ? 'pass' : 'fail';
        out.textContent = status === 202 ? 'Requested (' + j.request + '); the timeline shows the answer.'
          : status + ': ' + j.error;
      })
      .catch(e => { out.className = 'fail'; out.textContent = String(e); });
  }
  function rangeBounds(range) {
    if (!range) return [];
    let m = /^\s*(-?[\d.]+)\s*\.\.\s*(-?[\d.]+)/.exec(range);
    if (m) return [+m[1], +m[2]];
    m = /(-?[\d.]+(?:e-?\d+)?)/.exec(range);
    return m ? [+m[1]] : [];
  }
  // A line chart of points [{t, v}] over [t0, t1]; step: draw as steps (weights); bounds: dashed lines (ranges).
  function chart(title, points, t0, t1, opts) {
    const W = 460, H = 150, L = 44, R = 10, T = 18, B = 22;
    const vals = points.map(p => p.v).concat(opts.bounds || []);
    let lo = opts.min !== undefined ? opts.min : Math.min(...vals);
    let hi = opts.max !== undefined ? opts.max : Math.max(...vals);
    if (!isFinite(lo) || !isFinite(hi)) { lo = 0; hi = 1; }
    if (hi === lo) { hi = lo + 1; lo = lo - (lo === 0 ? 0 : 1); }
    const x = t => L + (t1 === t0 ? 0 : (t - t0) / (t1 - t0)) * (W - L - R);
    const y = v => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
    const s = svg('svg', {width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': title});
    s.append(svg('text', {x: L, y: 12, class: 'title'}, title));
    s.append(svg('line', {x1: L, y1: T, x2: L, y2: H - B, stroke: '#cbd5e0'}));
    s.append(svg('line', {x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#cbd5e0'}));
    s.append(svg('text', {x: L - 4, y: y(hi) + 4, 'text-anchor': 'end'}, +hi.toPrecision(4)));
    s.append(svg('text', {x: L - 4, y: y(lo) + 4, 'text-anchor': 'end'}, +lo.toPrecision(4)));
    s.append(svg('text', {x: L, y: H - 6}, new Date(t0).toLocaleTimeString()));
    s.append(svg('text', {x: W - R, y: H - 6, 'text-anchor': 'end'}, new Date(t1).toLocaleTimeString()));
    for (const b of opts.bounds || []) {
      s.append(svg('line', {x1: L, x2: W - R, y1: y(b), y2: y(b), stroke: '#c62828', 'stroke-dasharray': '4 3'}));
    }
    let d = '';
    points.forEach((p, i) => {
      if (i === 0) d += 'M' + x(p.t) + ' ' + y(p.v);
      else if (opts.step) d += 'H' + x(p.t) + 'V' + y(p.v); else d += 'L' + x(p.t) + ' ' + y(p.v);
    });
    if (opts.step && points.length) d += 'H' + x(t1);
    s.append(svg('path', {d, fill: 'none', stroke: opts.color || '#2b6cb0', 'stroke-width': 2}));
    points.forEach(p => s.append(svg('circle', {cx: x(p.t), cy: y(p.v), r: 2.5,
      fill: p.bad ? '#c62828' : (opts.color || '#2b6cb0')})));
    return el('div', {class: 'chart'}, s);
  }
  function charts(d) {
    const h = d.history || [];
    if (!h.length) return el('p', {class: 'muted'}, 'Nothing observed yet.');
    const t0 = Date.parse(h[0].at), t1 = Math.max(Date.now(), Date.parse(h[h.length - 1].at));
    const out = [chart('Canary weight (%)', h.map(e => ({t: Date.parse(e.at), v: e.weight})), t0, t1,
      {step: true, min: 0, max: 100})];
    const metrics = {};
    h.filter(e => e.analysis).forEach(e => (e.analysis.metrics || []).forEach(m => {
      if (typeof m.value !== 'number') return;
      (metrics[m.name] = metrics[m.name] || {range: m.range, points: []}).points.push(
        {t: Date.parse(e.analysis.evaluatedAt || e.at), v: m.value, bad: m.result === 'Failed'});
    }));
    for (const [name, m] of Object.entries(metrics)) {
      out.push(chart(name + (m.range ? ' (' + m.range + ')' : ''), m.points, t0, t1,
        {bounds: rangeBounds(m.range), color: '#2f855a'}));
    }
    return el('div', {class: 'charts', id: 'charts'}, out);
  }
  function metricLine(m) {
    const v = typeof m.value === 'number' ? +m.value.toPrecision(6) : (m.comparison || '-');
    return el('li', {}, m.name + ': ', el('b', {}, String(v)), m.range ? ' vs ' + m.range : '', ' → ',
      el('span', {class: m.result === 'Passed' ? 'pass' : m.result === 'Failed' ? 'fail' : ''}, m.result || '-'));
  }
  function timeline(d) {
    const items = (d.history || []).slice().reverse().map(e => el('li', {},
      time(e.at),
      (e.changes || []).join('; '),
      e.decision ? el('div', {}, 'Decision: ', e.decision) : null,
      e.action ? el('div', {}, 'Action: ', e.action) : null,
      e.analysis ? el('div', {}, 'Analysis ' + (e.analysis.result || '') + (e.analysis.message ? ': '
        + e.analysis.message : ''), el('ul', {}, (e.analysis.metrics || []).map(metricLine))) : null));
    return el('ol', {class: 'timeline', id: 'timeline', reversed: ''}, items);
  }
  function renderCanary() {
    const d = state;
    if (!d) {
      main.replaceChildren(el('h1', {}, 'Canary ' + initial.namespace + '/' + initial.name),
        el('p', {}, 'No such canary (yet). ', el('a', {href: '/ui'}, 'All rollouts')));
      return;
    }
    const a = d.analysis;
    main.replaceChildren(
      el('p', {}, el('a', {href: '/ui'}, '← all rollouts')),
      el('h1', {}, 'Canary ' + d.namespace + '/' + d.name + ' ', phase(d.phase, d.phaseShown)),
      el('div', {class: 'panel'}, el('dl', {class: 'kv', id: 'overview'},
        el('dt', {}, 'Weight'), el('dd', {id: 'weight'}, d.weight + '% canary, ' + (100 - d.weight) + '% primary'),
        el('dt', {}, 'Failed checks'), el('dd', {}, d.failedChecks + '/' + d.threshold),
        el('dt', {}, 'Last decision'), el('dd', {id: 'decision'}, d.lastDecision),
        el('dt', {}, 'Revision'), el('dd', {}, d.revision),
        el('dt', {}, 'Git commit'), el('dd', {}, d.gitCommit || '-'),
        el('dt', {}, 'Since'), el('dd', {}, d.since ? d.since + ' (' + ago(d.since) + ')' : '-'),
        el('dt', {}, 'Last action'), el('dd', {}, d.lastAction ? d.lastAction.request + ': ' + d.lastAction.result
          + (d.lastAction.message ? ' — ' + d.lastAction.message : '') : '-',
          d.pendingAction ? el('div', {class: 'muted'}, 'Pending: ' + d.pendingAction) : null))),
      el('div', {class: 'panel actions'}, ACTIONS.map(([n, body]) => el('button', {class: 'action',
        onclick: () => act(n, body)}, n + (body.force ? ' --force' : ''))), el('span', {id: 'action-result'})),
      el('h2', {}, 'Weight and metrics over the release'), charts(d),
      el('h2', {}, 'Last analysis'),
      a ? el('div', {class: 'panel'}, el('div', {}, (a.result || '') + (a.message ? ': ' + a.message : ''),
        a.evaluatedAt ? el('span', {class: 'muted'}, ' (' + a.evaluatedAt + ')') : null),
        el('ul', {}, (a.metrics || []).map(metricLine))) : el('p', {class: 'muted'}, 'No analysis yet.'),
      el('h2', {}, 'Timeline (observed by this controller since it started)'), timeline(d),
      el('h2', {}, 'Conditions'),
      table(['Type', 'Status', 'Reason', 'Since', 'Message'], d.conditions.map(k => el('tr', {},
        el('td', {}, k.type), el('td', {}, k.status), el('td', {}, k.reason || ''), el('td', {}, k.since || ''),
        el('td', {}, k.message || '')))),
      el('h2', {}, 'Webhooks'),
      d.webhooks.length ? table(['Name', 'Type', 'URL'], d.webhooks.map(w => el('tr', {}, el('td', {}, w.name),
        el('td', {}, w.type), el('td', {}, w.url)))) : el('p', {class: 'muted'}, 'None.'),
      el('h2', {}, 'Kubernetes Events'),
      !d.eventsShown ? el('p', {class: 'muted'}, d.eventsError || 'Not available.')
        : d.events.length ? table(['Time', 'Type', 'Reason', 'Message', 'Count'], d.events.slice().reverse().map(e =>
          el('tr', {}, el('td', {}, time(e.at)), el('td', {}, e.type), el('td', {}, e.reason),
            el('td', {}, e.message), el('td', {class: 'num'}, e.count)))) : el('p', {class: 'muted'}, 'None.'));
    showMode();
  }

  // ---------------------------------------------------------------------------------------------- live updates
  let refetch = null;
  function refreshCanary() {
    if (refetch) return;
    refetch = setTimeout(() => {
      fetch('/ui/api/canaries/' + encodeURIComponent(initial.namespace) + '/' + encodeURIComponent(initial.name),
        {credentials: 'omit'})
        .then(r => r.ok ? r.json() : null).then(d => { state = d; renderCanary(); })
        .finally(() => { refetch = null; });
    }, 200);
  }
  function connect() {
    const live = document.getElementById('live');
    const es = new EventSource('/ui/events');
    es.onopen = () => { live.textContent = 'live'; live.classList.add('on'); };
    es.onerror = () => { live.textContent = 'reconnecting'; live.classList.remove('on'); };
    es.addEventListener('snapshot', ev => {
      if (view === 'list') { state = JSON.parse(ev.data); renderList(); } else refreshCanary();
    });
    es.addEventListener('canary', ev => {
      const row = JSON.parse(ev.data);
      if (view === 'list') { upsert(state.canaries, row); renderList(); }
      else if (row.namespace === initial.namespace && row.name === initial.name) refreshCanary();
    });
    es.addEventListener('gitsync', ev => {
      if (view === 'list') { upsert(state.gitSyncs, JSON.parse(ev.data)); renderList(); }
    });
    es.addEventListener('removed', ev => {
      const r = JSON.parse(ev.data);
      if (view === 'list') {
        const list = r.kind === 'canary' ? state.canaries : state.gitSyncs;
        const i = list.findIndex(x => x.namespace === r.namespace && x.name === r.name);
        if (i >= 0) { list.splice(i, 1); renderList(); }
      } else if (r.kind === 'canary' && r.namespace === initial.namespace && r.name === initial.name) {
        state = null; renderCanary();
      }
    });
  }

  if (view === 'list') renderList(); else renderCanary();
  showMode();
  connect();
})();
