// The console page: renders each snapshot from /api/events. Plain DOM, no framework; every
// value goes in through textContent, since task names and sites come from user code.
const $ = (sel) => document.querySelector(sel);
const state = { snapshot: null, sortKey: 'id', sortDesc: false, filter: '', selected: null };

const fmtMs = (ms) => (ms === 0 ? '' : ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : `${ms.toFixed(ms >= 10 ? 0 : 2)}ms`);
const fmtUs = (us) =>
  us >= 1e6
    ? `${(us / 1e6).toFixed(us >= 1e7 ? 0 : 1)}s`
    : us >= 1000
      ? `${(us / 1000).toFixed(us >= 10_000 ? 0 : 1)}ms`
      : `${us.toFixed(us >= 10 ? 0 : 1)}µs`;
const pct = (x) => (x === null ? '–' : `${(x * 100).toFixed(0)}%`);

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) tr.append(el('td', c));
  return tr;
}

function renderSummary(rt) {
  const items = [
    ['flavour', rt.flavor.replace('_', '-')],
    ['workers', rt.numWorkers],
    ['alive tasks', rt.aliveTasks],
    ['spawned', rt.spawnedTasks],
    ['global queue', rt.globalQueueDepth],
    ['blocking threads', rt.blockingThreads],
    ['p99 poll', fmtUs(rt.pollTimes.percentilesUs.find(([p]) => p === 99)?.[1] ?? 0)],
    ['main ELU', pct(rt.mainEventLoopUtilization)],
  ];
  $('#summary').replaceChildren(
    ...items.map(([k, v]) => {
      const d = el('div');
      d.append(el('dt', k), el('dd', v));
      return d;
    }),
  );
}

function visibleTasks(tasks) {
  const f = state.filter.toLowerCase();
  const shown =
    f === ''
      ? [...tasks]
      : tasks.filter((t) =>
          [t.id, t.name, t.state, t.thread, t.spawnSite, t.waitingOn].some((v) => String(v).toLowerCase().includes(f)),
        );
  const k = state.sortKey;
  shown.sort((a, b) => {
    const x = a[k],
      y = b[k];
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return state.sortDesc ? -c : c;
  });
  return shown;
}

function renderTasks(tasks) {
  const body = $('#task-table tbody');
  body.replaceChildren(
    ...visibleTasks(tasks).map((t) => {
      const tr = row([
        t.id,
        t.name,
        t.state,
        t.thread,
        fmtMs(t.totalMs),
        fmtMs(t.busyMs),
        fmtMs(t.scheduledMs),
        fmtMs(t.idleMs),
        t.tracked ? t.polls : '',
        t.spawnSite,
        t.waitingOn,
      ]);
      tr.dataset.id = t.id;
      if (t.id === state.selected) tr.classList.add('selected');
      return tr;
    }),
  );
  for (const th of document.querySelectorAll('#task-table th')) {
    th.classList.toggle('sorted', th.dataset.key === state.sortKey);
    th.classList.toggle('desc', th.dataset.key === state.sortKey && state.sortDesc);
  }
  $('#tracking-note').hidden = tasks.length === 0 || tasks.some((t) => t.tracked);
}

function renderHistogram(target, bucketsList, emptyText) {
  const total = bucketsList.reduce((n, b) => n + b.count, 0);
  if (total === 0) return target.replaceChildren(el('span', emptyText, 'note'));
  const max = Math.max(...bucketsList.map((b) => b.count));
  const cells = [];
  for (const b of bucketsList) {
    const bar = el('div', undefined, 'bar');
    bar.style.width = `${(b.count / max) * 100}%`;
    cells.push(el('span', b.leUs === null ? '> 1s' : `≤ ${fmtUs(b.leUs)}`, 'label'), bar, el('span', b.count, 'count'));
  }
  target.replaceChildren(...cells);
}

async function renderDetail() {
  const box = $('#detail');
  if (state.selected === null) return void (box.hidden = true);
  const res = await fetch(`api/tasks/${state.selected}`);
  if (!res.ok) {
    box.hidden = false;
    $('#detail-title').textContent = `Task ${state.selected}`;
    $('#detail-fields').replaceChildren(el('dt', 'state'), el('dd', 'finished (dropped out of the dump)'));
    return void $('#detail-histogram').replaceChildren();
  }
  const d = await res.json();
  const t = d.task;
  box.hidden = false;
  $('#detail-title').textContent = `Task ${t.id}: ${t.name}`;
  const fields = [
    ['state', t.state],
    ['thread', t.thread],
    ['spawn site', t.spawnSite || '–'],
    ['waiting on', t.waitingOn || '–'],
    ['stuck', t.stuck || '–'],
    ['holding', t.holding.join(', ') || '–'],
    ['polls', t.tracked ? t.polls : '–'],
    ['total', fmtMs(t.totalMs) || '–'],
    ['busy', fmtMs(t.busyMs) || '–'],
    ['scheduled', fmtMs(t.scheduledMs) || '–'],
    ['idle', fmtMs(t.idleMs) || '–'],
    ['longest poll', fmtMs(t.longestPollMs) || '–'],
  ];
  $('#detail-fields').replaceChildren(...fields.flatMap(([k, v]) => [el('dt', k), el('dd', v)]));
  // Without tracking a task has no poll times of its own: show the runtime's, and say so.
  const own = d.pollTimes !== null;
  $('#detail-histogram-title').textContent = own
    ? 'Poll times'
    : 'Poll times, whole runtime (per-task times need task tracking)';
  renderHistogram(
    $('#detail-histogram'),
    own ? d.pollTimeBuckets : state.snapshot.runtime.pollTimeBuckets,
    'No polls yet.',
  );
}

function renderWorkers(workers, rt) {
  $('#worker-table tbody').replaceChildren(
    ...workers.map((w) =>
      row([
        w.thread,
        w.pollCount,
        w.stealCount,
        w.parkCount,
        w.localQueueDepth,
        fmtMs(w.busyMs) || '0',
        pct(w.busyRatio),
        pct(w.eventLoopUtilization),
        fmtUs(w.meanPollTimeUs),
      ]),
    ),
  );
  renderHistogram($('#runtime-histogram'), rt.pollTimeBuckets, 'No polls yet.');
}

function renderResources(resources) {
  const ids = (xs) => xs.join(', ') || '–';
  $('#resource-table tbody').replaceChildren(
    ...(resources.length === 0
      ? [row(['', 'No tracked waits or holds.', '', '', ''])]
      : resources.map((r) => row([r.kind, r.name, r.thread, ids(r.holders), ids(r.waiters)]))),
  );
}

function renderWarnings(warnings) {
  $('#warning-count').textContent = warnings.length === 0 ? '' : warnings.length;
  $('#warning-list').replaceChildren(
    ...(warnings.length === 0
      ? [el('li', 'No warnings.', 'note')]
      : warnings.map((w) => el('li', `[${w.kind}] ${w.message}`))),
  );
}

function render() {
  const s = state.snapshot;
  if (s === null) return;
  renderSummary(s.runtime);
  renderTasks(s.tasks);
  renderWorkers(s.workers, s.runtime);
  renderResources(s.resources);
  renderWarnings(s.warnings);
}

$('#filter').addEventListener('input', (e) => {
  state.filter = e.target.value;
  render();
});
$('#task-table thead').addEventListener('click', (e) => {
  const key = e.target.dataset?.key;
  if (!key) return;
  state.sortDesc = state.sortKey === key ? !state.sortDesc : false;
  state.sortKey = key;
  render();
});
$('#task-table tbody').addEventListener('click', (e) => {
  const tr = e.target.closest('tr');
  if (!tr) return;
  state.selected = Number(tr.dataset.id) === state.selected ? null : Number(tr.dataset.id);
  render();
  void renderDetail();
});
for (const b of document.querySelectorAll('nav button')) {
  b.addEventListener('click', () => {
    for (const o of document.querySelectorAll('nav button')) o.classList.toggle('active', o === b);
    for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== b.dataset.view;
  });
}

const events = new EventSource('api/events');
events.addEventListener('snapshot', (e) => {
  state.snapshot = JSON.parse(e.data);
  $('#status').textContent = `live · ${new Date(state.snapshot.at).toLocaleTimeString()}`;
  $('#status').className = 'status live';
  render();
  if (state.selected !== null) void renderDetail();
});
events.addEventListener('failure', (e) => {
  $('#status').textContent = `error: ${JSON.parse(e.data).message}`;
  $('#status').className = 'status';
});
events.addEventListener('error', () => {
  $('#status').textContent = 'disconnected, retrying…';
  $('#status').className = 'status';
});
