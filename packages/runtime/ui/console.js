// The kconnect web console (docs/operations.md, "Web console"): connectors and tasks with their states and workers,
// records/s and lag sparklines, the last errors with their traces, and the lifecycle buttons. Everything goes through
// the worker's ordinary REST API with the browser's credentials: a 403 on an operation makes the console read-only.
import uPlot from './vendor/uPlot.esm.js';
import { parsePrometheus, perConnector } from './metrics.js';

const params = new URLSearchParams(location.search);
const INTERVAL_MS = Math.max(500, Number(params.get('interval')) || 2000);
/** Points per sparkline. */
const POINTS = 60;
const MAX_ERRORS = 20;
/** The API root: the console lives at <root>/ui/. */
const ROOT = new URL('../', location.href);
/** A connector name no one uses: pausing it answers 404 to a user who may operate, 403 to one who may not. */
const PROBE = 'kconnect-ui-permission-probe';

const $ = (sel) => document.querySelector(sel);
const el = (tag, { dataset, ...props } = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  Object.assign(e.dataset, dataset);
  for (const c of children) e.append(c);
  return e;
};

let readOnly = false;
const rows = new Map(); // connector → {tr, cells, charts, history}
const errors = new Map(); // key → error entry
let lastTotals = null; // {t, perConnector}

async function api(method, path) {
  const res = await fetch(new URL(path, ROOT), { method, headers: { accept: 'application/json' }, credentials: 'same-origin' });
  const text = await res.text();
  let body = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* /metrics is text */
  }
  return { status: res.status, body };
}

function setReadOnly(why) {
  if (readOnly) return;
  readOnly = true;
  document.body.classList.add('read-only');
  const b = $('#banner');
  b.textContent = `Read-only: ${why}`;
  b.hidden = false;
}

function toast(text, isError = false) {
  const t = $('#toast');
  t.textContent = text;
  t.className = isError ? 'error' : '';
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 4000);
}

const ACTIONS = {
  pause: { label: 'Pause', method: 'PUT', path: (c) => `connectors/${c}/pause`, enabled: (s) => s === 'RUNNING' || s === 'FAILED' },
  resume: { label: 'Resume', method: 'PUT', path: (c) => `connectors/${c}/resume`, enabled: (s) => s === 'PAUSED' || s === 'STOPPED' },
  restart: { label: 'Restart', method: 'POST', path: (c) => `connectors/${c}/restart?includeTasks=true&onlyFailed=false`, enabled: () => true },
  stop: { label: 'Stop', method: 'PUT', path: (c) => `connectors/${c}/stop`, enabled: (s) => s !== 'STOPPED' },
};

async function act(action, connector) {
  const a = ACTIONS[action];
  const res = await api(a.method, a.path(encodeURIComponent(connector)));
  if (res.status === 403 || res.status === 401) {
    setReadOnly(res.body?.message ?? 'you may not operate connectors');
    toast(`${a.label} ${connector}: ${res.status} ${res.body?.message ?? ''}`, true);
  } else if (res.status >= 400) {
    toast(`${a.label} ${connector}: ${res.status} ${res.body?.message ?? ''}`, true);
  } else {
    toast(`${a.label} ${connector}: done`);
  }
  await refresh();
}

function sparkline(color) {
  const opts = {
    width: 120,
    height: 30,
    pxAlign: false,
    cursor: { show: false },
    select: { show: false },
    legend: { show: false },
    scales: { x: { time: false }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] } },
    axes: [{ show: false }, { show: false }],
    series: [{}, { stroke: color, width: 1.5, fill: `${color}22` }],
  };
  return new uPlot(opts, [[], []]);
}

function stateBadge(state) {
  return el('span', { className: `state ${state}`, textContent: state });
}

function row(name) {
  let r = rows.get(name);
  if (r) return r;
  const cells = {
    name: el('td', { className: 'name', textContent: name }),
    type: el('td'),
    state: el('td', { dataset: { role: 'state' } }),
    worker: el('td', { dataset: { role: 'worker' } }),
    tasks: el('td', { dataset: { role: 'tasks' } }),
    rate: el('td', { dataset: { role: 'rate' } }),
    lag: el('td', { dataset: { role: 'lag' } }),
    actions: el('td', { className: 'actions' }),
  };
  const charts = { rate: sparkline('#0969da'), lag: sparkline('#9a6700') };
  const values = { rate: el('span', { className: 'value' }), lag: el('span', { className: 'value' }) };
  cells.rate.append(el('div', { className: 'spark' }, charts.rate.root, values.rate));
  cells.lag.append(el('div', { className: 'spark' }, charts.lag.root, values.lag));
  const buttons = {};
  for (const [action, a] of Object.entries(ACTIONS)) {
    buttons[action] = el('button', { type: 'button', textContent: a.label, dataset: { action } });
    buttons[action].addEventListener('click', async () => {
      buttons[action].disabled = true;
      try {
        await act(action, name);
      } finally {
        buttons[action].disabled = false;
        update(name, r.status);
      }
    });
    cells.actions.append(buttons[action]);
  }
  const tr = el('tr', { dataset: { connector: name } }, ...Object.values(cells));
  $('#connectors tbody').append(tr);
  r = { tr, cells, charts, values, buttons, history: { x: [], rate: [], lag: [] }, status: null };
  rows.set(name, r);
  return r;
}

function update(name, status) {
  const r = row(name);
  r.status = status;
  if (!status) return;
  const state = status.connector.state;
  r.cells.type.textContent = status.type;
  r.cells.state.replaceChildren(stateBadge(state));
  r.cells.worker.textContent = status.connector.worker_id;
  r.cells.tasks.replaceChildren(
    el(
      'div',
      { className: 'tasks' },
      ...(status.tasks.length
        ? status.tasks.map((t) =>
            el('span', { dataset: { task: String(t.id), state: t.state } }, `#${t.id} `, stateBadge(t.state), el('span', { className: 'worker', textContent: ` ${t.worker_id}` })),
          )
        : [el('span', { className: 'muted', textContent: 'no tasks' })]),
    ),
  );
  for (const [action, a] of Object.entries(ACTIONS)) r.buttons[action].disabled = readOnly || !a.enabled(state);
}

function recordErrors(name, status) {
  const entries = [{ what: name, s: status.connector }, ...status.tasks.map((t) => ({ what: `${name} task ${t.id}`, s: t }))];
  for (const { what, s } of entries) {
    if (s.state !== 'FAILED') continue;
    const f = s.failure ?? {};
    const key = `${what}\u0000${f.time ?? ''}\u0000${(s.trace ?? '').slice(0, 200)}`;
    if (!errors.has(key)) errors.set(key, { what, failure: f, trace: s.trace ?? '', worker: s.worker_id, seen: Date.now() });
  }
  while (errors.size > MAX_ERRORS) errors.delete(errors.keys().next().value);
}

function renderErrors() {
  const sorted = [...errors.values()].sort((a, b) => (Date.parse(b.failure.time ?? '') || b.seen) - (Date.parse(a.failure.time ?? '') || a.seen));
  $('#errors').replaceChildren(
    ...sorted.map((e) =>
      el(
        'li',
        {},
        el(
          'div',
          { className: 'head' },
          el('span', { className: 'what', textContent: e.what }),
          el('span', { className: 'muted', textContent: e.failure.time ? new Date(e.failure.time).toLocaleString() : 'time unknown' }),
          ...(e.failure.stage ? [el('span', { className: 'stage', textContent: e.failure.stage })] : []),
          el('span', { textContent: e.failure.error_class ?? '' }),
          el('span', { className: 'muted', textContent: `on ${e.worker}` }),
        ),
        el('div', { className: 'message', textContent: e.failure.message ?? e.trace.split('\n', 1)[0] }),
        el('details', {}, el('summary', { textContent: 'trace' }), el('pre', { textContent: e.trace })),
      ),
    ),
  );
  $('#no-errors').hidden = errors.size > 0;
}

const fmt = (v) => (v >= 100 ? Math.round(v).toLocaleString() : v.toFixed(v >= 10 ? 1 : 2).replace(/\.?0+$/, '') || '0');

function updateCharts(now, totals) {
  for (const [name, r] of rows) {
    const cur = totals.get(name) ?? { records: 0, lag: 0 };
    const prev = lastTotals?.totals.get(name);
    const dt = lastTotals ? (now - lastTotals.t) / 1000 : 0;
    const rate = prev && dt > 0 ? Math.max(0, (cur.records - prev.records) / dt) : 0;
    const h = r.history;
    h.x.push(now / 1000);
    h.rate.push(rate);
    h.lag.push(cur.lag);
    if (h.x.length > POINTS) for (const k of ['x', 'rate', 'lag']) h[k].shift();
    r.charts.rate.setData([h.x, h.rate]);
    r.charts.lag.setData([h.x, h.lag]);
    r.values.rate.textContent = fmt(rate);
    r.values.lag.textContent = fmt(cur.lag);
  }
  lastTotals = { t: now, totals };
}

let refreshing = null;
function refresh() {
  refreshing ??= (async () => {
    try {
      const [list, metrics] = await Promise.all([api('GET', 'connectors?expand=status&expand=info'), api('GET', 'metrics')]);
      if (list.status !== 200) throw new Error(`GET /connectors: ${list.status} ${list.body?.message ?? ''}`);
      const names = Object.keys(list.body).sort();
      for (const [name, r] of rows) {
        if (!names.includes(name)) {
          r.tr.remove();
          rows.delete(name);
        }
      }
      for (const name of names) {
        const status = list.body[name].status;
        update(name, status);
        if (status) recordErrors(name, status);
      }
      // Keep the table sorted by name.
      const tbody = $('#connectors tbody');
      for (const name of names) tbody.append(rows.get(name).tr);
      $('#count').textContent = `(${names.length})`;
      $('#empty').hidden = names.length > 0;
      renderErrors();
      if (metrics.status === 200 && typeof metrics.body === 'string') updateCharts(Date.now(), perConnector(parsePrometheus(metrics.body)));
      $('#refreshed').textContent = `updated ${new Date().toLocaleTimeString()}`;
      document.body.dataset.loaded = 'true';
    } catch (e) {
      $('#refreshed').textContent = `update failed: ${e.message}`;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function probePermissions() {
  const res = await api('PUT', `connectors/${PROBE}/pause`);
  if (res.status === 403 || res.status === 401) setReadOnly(res.body?.message ?? 'you may not operate connectors');
  document.body.dataset.permissions = readOnly ? 'read' : 'operate';
}

async function main() {
  const root = await api('GET', '');
  if (root.status === 200) $('#worker').textContent = `${root.body.version} · Kafka cluster ${root.body.kafka_cluster_id ?? '?'}`;
  await probePermissions();
  await refresh();
  setInterval(refresh, INTERVAL_MS);
}

main();
