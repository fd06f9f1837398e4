// Live pages: a server-sent event feed keeps each spawn's numbers, cards
// and charts current without reloading, and inserts spawns as they appear.
'use strict';

(function (O) {
  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));
  const { fmtLatency, fmtDuration, fmtCount, fmtRate, drawChart, colourOf, compareOutcomes } = O;

  // ---- What the page knows about each spawn. ----

  const spawns = new Map();

  function spawnData(id) {
    let data = spawns.get(id);
    if (!data) {
      data = { merged: new Map(), spawners: new Map(), status: null };
      spawns.set(id, data);
    }
    return data;
  }

  function spawnerSeries(data, spawnerId) {
    let series = data.spawners.get(spawnerId);
    if (!series) {
      series = new Map();
      data.spawners.set(spawnerId, series);
    }
    return series;
  }

  function groupBySecond(points, into) {
    into.clear();
    for (const point of points) {
      const list = into.get(point.t);
      if (list) list.push(point); else into.set(point.t, [point]);
    }
  }

  function sectionOf(id) {
    return $('section.spawn[data-spawn="' + id + '"]');
  }

  // ---- Live feed. ----

  function connect(main) {
    const source = new EventSource(main.dataset.live);
    const dot = $('[data-field=live]');
    source.onopen = () => { if (dot) { dot.className = 'live-dot on'; dot.title = 'Live'; } };
    source.onerror = () => { if (dot) { dot.className = 'live-dot off'; dot.title = 'Reconnecting…'; } };

    source.addEventListener('snapshot', (event) => {
      const snapshot = JSON.parse(event.data);
      const data = spawnData(snapshot.spawn);
      groupBySecond(snapshot.merged, data.merged);
      for (const node of snapshot.nodes) groupBySecond(node.points, spawnerSeries(data, node.spawner));
      onStatus(snapshot);
    });
    source.addEventListener('points', (event) => {
      const update = JSON.parse(event.data);
      const data = spawnData(update.spawn);
      data.merged.set(update.t, update.merged);
      spawnerSeries(data, update.spawner).set(update.t, update.points);
      scheduleDraw(update.spawn);
    });
    source.addEventListener('status', (event) => onStatus(JSON.parse(event.data)));
    source.addEventListener('nodes', (event) => setNodeCount(JSON.parse(event.data).node_count));
    source.addEventListener('created', (event) => {
      const created = JSON.parse(event.data);
      if (!sectionOf(created.spawn)) insertSection(created.spawn);
    });
  }

  function onStatus(status) {
    const data = spawnData(status.spawn);
    data.status = status;
    setNodeCount(status.node_count);
    const section = sectionOf(status.spawn);
    if (!section) {
      insertSection(status.spawn);
      return;
    }
    const shown = $$('.spawner', section).map((card) => card.dataset.spawner).sort().join(' ');
    const known = status.spawners.map((s) => s.id).sort().join(' ');
    if (shown !== known) {
      refreshSection(status.spawn);
      return;
    }
    applyStatus(section, status);
    scheduleDraw(status.spawn);
  }

  function setText(root, field, text) {
    const element = $('[data-field="' + field + '"]', root);
    if (element && element.textContent !== text) element.textContent = text;
  }

  function setNodeCount(count) {
    if (typeof count !== 'number') return;
    setText(document, 'node-count', count === 1 ? '1 node connected' : count + ' nodes connected');
  }

  function applyStatus(section, status) {
    section.dataset.state = status.state;
    const badge = $('[data-field=state]', section);
    badge.textContent = status.state;
    badge.className = 'badge state-' + status.state;
    const stop = $('.stop-form', section);
    if (stop) stop.hidden = status.state !== 'running';

    const totals = status.totals;
    const any = totals.requests > 0;
    setText(section, 'elapsed', fmtDuration(status.elapsed_s));
    setText(section, 'remaining', status.state === 'running' ? fmtDuration(status.remaining_s) : '–');
    setText(section, 'requests', fmtCount(totals.requests));
    setText(section, 'rps', fmtRate(totals.rps));
    setText(section, 'p50', any ? fmtLatency(totals.latency_ms.p50) : '–');
    setText(section, 'p99', any ? fmtLatency(totals.latency_ms.p99) : '–');
    setText(section, 'errors', totals.error_percent.toFixed(1) + '%');
    $('[data-field=errors]', section).classList.toggle('bad', totals.error_percent > 0);

    for (const spawner of status.spawners) {
      const card = $('.spawner[data-spawner="' + spawner.id + '"]', section);
      if (!card) continue;
      const state = $('[data-field=spawner-state]', card);
      state.textContent = spawner.node_down ? 'node down' : spawner.state;
      state.className = 'badge state-' + (spawner.node_down ? 'down' : spawner.state);
      setText(card, 'sessions', spawner.sessions_active + ' / ' + spawner.sessions_target);
      const bar = $('[data-field=sessions-bar]', card);
      if (bar) { bar.max = spawner.sessions_target; bar.value = spawner.sessions_active; }
      const pools = $('[data-field=pools]', card);
      pools.replaceChildren(...spawner.pools.map((pool) => {
        const span = document.createElement('span');
        span.className = 'pool';
        span.textContent = '#' + pool.index + ' ' + pool.in_use + '/' + pool.size;
        return span;
      }));
    }
    fillTotals(section, totals);
  }

  function fillTotals(section, totals) {
    const outcomes = $('[data-table=outcomes] tbody', section);
    if (outcomes) {
      const all = Object.entries(totals.statuses).concat(Object.entries(totals.errors));
      all.sort((a, b) => compareOutcomes(a[0], b[0]));
      outcomes.replaceChildren(...all.map(([outcome, count]) => {
        const share = totals.requests ? (100 * count / totals.requests).toFixed(1) + '%' : '–';
        return row([swatch(outcome), fmtCount(count), share]);
      }));
      if (!all.length) outcomes.replaceChildren(row(['No requests yet', '', '']));
    }
    const latency = $('[data-table=latency] tbody', section);
    if (latency) {
      const l = totals.latency_ms;
      const rows = [['min', l.min], ['p50', l.p50], ['p90', l.p90], ['p99', l.p99], ['p99.9', l.p999], ['max', l.max]];
      latency.replaceChildren(...rows.map(([name, ms]) => row([name, totals.requests ? fmtLatency(ms) : '–'])));
    }
  }

  function row(cells) {
    const tr = document.createElement('tr');
    cells.forEach((cell, index) => {
      const td = document.createElement('td');
      if (index > 0) td.className = 'num';
      if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell;
      tr.appendChild(td);
    });
    return tr;
  }

  function swatch(outcome) {
    const span = document.createElement('span');
    span.className = 'outcome';
    const dot = document.createElement('i');
    dot.style.background = colourOf(outcome);
    span.append(dot, outcome);
    return span;
  }

  // A section is re-fetched when its set of spawners changes (a node
  // joined), or inserted when a spawn appears on the list page.
  const fetching = new Set();

  // Built on the origin, not the page URL: a page opened as
  // http://user:pass@host/ would otherwise hand fetch() a URL with
  // credentials, which it refuses; the browser still sends the cached ones.
  function sectionUrl(id, place) {
    const path = '/spawns/' + id + '/card' + (place === 'page' ? '?place=page' : '');
    return new URL(path, window.location.origin).href;
  }

  async function fetchSection(id, place) {
    if (fetching.has(id)) return null;
    fetching.add(id);
    try {
      const response = await fetch(sectionUrl(id, place), { credentials: 'same-origin' });
      if (!response.ok) return null;
      const template = document.createElement('template');
      template.innerHTML = (await response.text()).trim();
      return template.content.firstElementChild;
    } finally {
      fetching.delete(id);
    }
  }

  async function insertSection(id) {
    const list = $('[data-list=all]');
    if (!list) return;
    const section = await fetchSection(id, 'list');
    if (!section || sectionOf(id)) return;
    const empty = $('[data-empty]', list);
    if (empty) empty.remove();
    list.prepend(section);
    const data = spawns.get(id);
    if (data && data.status) applyStatus(section, data.status);
    scheduleDraw(id);
  }

  async function refreshSection(id) {
    const old = sectionOf(id);
    if (!old) return;
    const place = old.closest('[data-list=all]') ? 'list' : 'page';
    const fresh = await fetchSection(id, place);
    const current = sectionOf(id);
    if (!fresh || !current) return;
    // Keep the options panel as the person left it.
    const wasOpen = $('details.options', current);
    if (wasOpen && wasOpen.open) $('details.options', fresh).open = true;
    current.replaceWith(fresh);
    const data = spawns.get(id);
    if (data && data.status) applyStatus(fresh, data.status);
    scheduleDraw(id);
  }

  // Charts are redrawn at most once per animation frame.
  const dirty = new Set();
  let frameRequested = false;

  function scheduleDraw(id) {
    dirty.add(id);
    if (frameRequested) return;
    frameRequested = true;
    requestAnimationFrame(() => {
      frameRequested = false;
      for (const spawnId of dirty) drawSpawn(spawnId);
      dirty.clear();
    });
  }

  function drawSpawn(id) {
    const section = sectionOf(id);
    const data = spawns.get(id);
    if (!section || !data) return;
    for (const figure of $$('figure.chart', section)) {
      const series = figure.dataset.series;
      const byT = series === 'merged' ? data.merged : data.spawners.get(series.slice('spawner:'.length));
      drawChart(figure, figure.dataset.chart, byT || new Map());
    }
  }

  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { for (const id of spawns.keys()) scheduleDraw(id); }, 150);
  });

  document.addEventListener('DOMContentLoaded', () => {
    const main = $('main[data-live]');
    if (main && window.EventSource) connect(main);
  });
})(window.Onslaught = window.Onslaught || {});
