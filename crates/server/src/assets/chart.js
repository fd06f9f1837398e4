// Hand-drawn SVG charts: latency (p50, p99, max per outcome, log scale)
// and requests per second per outcome, one point per second.
'use strict';

(function (O) {
  const $ = (selector, root) => (root || document).querySelector(selector);
  const { fmtLatency, fmtAxisLatency, fmtDuration, fmtCount } = O;

  // ---- Outcome colours: successes cool, client errors amber, server
  // errors red, transport failures purple and grey. ----

  const ERROR_COLOURS = {
    connect: '#7c3aed', timeout: '#db2777', reset: '#c026d3',
    tls: '#475569', protocol: '#a16207', other: '#64748b',
  };
  const SUCCESS_COLOURS = ['#2563eb', '#0891b2', '#4f46e5', '#0284c7'];

  function colourOf(outcome) {
    if (ERROR_COLOURS[outcome]) return ERROR_COLOURS[outcome];
    const code = Number(outcome);
    if (code < 300) return SUCCESS_COLOURS[(code - 200 + 4) % 4];
    if (code < 400) return '#0d9488';
    if (code < 500) return code === 429 ? '#ea580c' : '#d97706';
    return '#dc2626';
  }

  function compareOutcomes(a, b) {
    const na = Number(a), nb = Number(b);
    const aIsStatus = !isNaN(na), bIsStatus = !isNaN(nb);
    if (aIsStatus && bIsStatus) return na - nb;
    if (aIsStatus !== bIsStatus) return aIsStatus ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  // ---- Drawing. ----

  const SVG_NS = 'http://www.w3.org/2000/svg';
  const MARGIN = { left: 62, right: 14, top: 12, bottom: 26 };
  const STYLES = { p50: '', p99: '6 4', max: '1.5 3' };

  function drawChart(figure, kind, byT) {
    const plot = $('.plot', figure);
    const seconds = Array.from(byT.keys()).sort((a, b) => a - b);
    plot.dataset.seconds = String(seconds.length);
    if (!seconds.length) return;

    const width = Math.max(260, Math.floor(plot.clientWidth || 600));
    const compact = !!figure.closest('.spawner');
    const height = compact ? 150 : 210;
    const outcomes = Array.from(new Set([].concat(...Array.from(byT.values()).map((ps) => ps.map((p) => p.outcome))))).sort(compareOutcomes);

    const first = Math.min(0, seconds[0]);
    const last = Math.max(seconds[seconds.length - 1], first + 10);
    const x = (t) => MARGIN.left + ((t - first) / (last - first)) * (width - MARGIN.left - MARGIN.right);
    const scale = kind === 'rps' ? rpsScale(byT, height) : latencyScale(byT, height);

    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', (kind === 'rps' ? 'Requests per second' : 'Latency') + ' over ' + seconds.length + ' seconds');
    let markup = axes(x, scale, first, last, width, height);

    if (kind === 'rps') {
      for (const outcome of outcomes) {
        const values = [];
        for (let t = seconds[0]; t <= seconds[seconds.length - 1]; t++) {
          const point = (byT.get(t) || []).find((p) => p.outcome === outcome);
          values.push([t, point ? point.count : 0]);
        }
        markup += line(values, x, scale.y, colourOf(outcome), '', 2);
      }
    } else {
      for (const outcome of outcomes) {
        for (const stat of ['max', 'p99', 'p50']) {
          const values = seconds.map((t) => {
            const point = (byT.get(t) || []).find((p) => p.outcome === outcome);
            return [t, point ? point[stat + '_ms'] : null];
          });
          markup += line(values, x, scale.y, colourOf(outcome), STYLES[stat], stat === 'p50' ? 2.2 : 1.4);
        }
      }
    }
    markup += '<line class="cursor" x1="0" x2="0" y1="' + MARGIN.top + '" y2="' + (height - MARGIN.bottom) + '" visibility="hidden"/>';
    svg.innerHTML = markup;
    plot.replaceChildren(svg);
    plot.dataset.points = String(Array.from(byT.values()).reduce((n, ps) => n + ps.length, 0));
    legend(figure, kind, outcomes);
    hover(figure, svg, x, seconds, byT, kind);
  }

  function latencyScale(byT, height) {
    let lo = Infinity, hi = 0;
    for (const points of byT.values()) {
      for (const p of points) {
        if (p.p50_ms > 0) lo = Math.min(lo, p.p50_ms);
        hi = Math.max(hi, p.max_ms);
      }
    }
    if (!isFinite(lo) || hi <= 0) { lo = 0.1; hi = 10; }
    let low = Math.floor(Math.log10(lo));
    let high = Math.ceil(Math.log10(hi));
    if (high <= low) high = low + 1;
    const span = height - MARGIN.top - MARGIN.bottom;
    const y = (v) => {
      const clamped = Math.min(Math.max(v, Math.pow(10, low)), Math.pow(10, high));
      return MARGIN.top + (1 - (Math.log10(clamped) - low) / (high - low)) * span;
    };
    const ticks = [];
    const steps = high - low <= 2 ? [1, 2, 5] : [1];
    for (let e = low; e <= high; e++) {
      for (const s of steps) {
        const v = s * Math.pow(10, e);
        if (v <= Math.pow(10, high) * 1.0001) ticks.push(v);
      }
    }
    return { y, ticks, label: fmtAxisLatency };
  }

  function rpsScale(byT, height) {
    let hi = 0;
    for (const points of byT.values()) for (const p of points) hi = Math.max(hi, p.count);
    // Headroom above the highest value, so a flat line is not the frame.
    const step = niceStep(Math.max(hi * 1.1, 1) / 4);
    const top = Math.max(step * Math.ceil((hi * 1.1) / step), step);
    const span = height - MARGIN.top - MARGIN.bottom;
    const y = (v) => MARGIN.top + (1 - v / top) * span;
    const ticks = [];
    for (let v = 0; v <= top + step / 2; v += step) ticks.push(v);
    return { y, ticks, label: (v) => fmtCount(v) + ' req/s' };
  }

  function niceStep(raw) {
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * power) return m * power;
    return 10 * power;
  }

  function axes(x, scale, first, last, width, height) {
    let out = '';
    const bottom = height - MARGIN.bottom;
    for (const v of scale.ticks) {
      const y = scale.y(v).toFixed(1);
      out += '<line class="grid" x1="' + MARGIN.left + '" x2="' + (width - MARGIN.right) + '" y1="' + y + '" y2="' + y + '"/>';
      out += '<text class="tick" x="' + (MARGIN.left - 6) + '" y="' + y + '" dy="0.32em" text-anchor="end">' + escapeXml(scale.label(v)) + '</text>';
    }
    const target = Math.max(2, Math.floor((width - MARGIN.left - MARGIN.right) / 70));
    const candidates = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400];
    const step = candidates.find((c) => (last - first) / c <= target) || 86400;
    for (let t = Math.ceil(first / step) * step; t <= last; t += step) {
      const px = x(t).toFixed(1);
      out += '<line class="grid grid-x" x1="' + px + '" x2="' + px + '" y1="' + MARGIN.top + '" y2="' + bottom + '"/>';
      out += '<text class="tick" x="' + px + '" y="' + (bottom + 16) + '" text-anchor="middle">' + escapeXml(fmtDuration(t)) + '</text>';
    }
    out += '<line class="axis" x1="' + MARGIN.left + '" x2="' + (width - MARGIN.right) + '" y1="' + bottom + '" y2="' + bottom + '"/>';
    return out;
  }

  // A polyline that breaks where a value is missing; lone points become dots.
  function line(values, x, y, colour, dash, strokeWidth) {
    let out = '';
    let run = [];
    const flush = () => {
      if (run.length === 1) {
        out += '<circle cx="' + run[0][0] + '" cy="' + run[0][1] + '" r="' + (strokeWidth + 0.8) + '" fill="' + colour + '"/>';
      } else if (run.length > 1) {
        out += '<polyline fill="none" stroke="' + colour + '" stroke-width="' + strokeWidth + '" stroke-linejoin="round"' +
          (dash ? ' stroke-dasharray="' + dash + '"' : '') + ' points="' + run.map((p) => p.join(',')).join(' ') + '"/>';
      }
      run = [];
    };
    for (const [t, v] of values) {
      if (v === null || v === undefined) { flush(); continue; }
      run.push([x(t).toFixed(1), y(v).toFixed(1)]);
    }
    flush();
    return out;
  }

  function legend(figure, kind, outcomes) {
    const box = $('.legend', figure);
    const items = outcomes.map((outcome) => '<span class="key"><i style="background:' + colourOf(outcome) + '"></i>' + escapeXml(outcome) + '</span>');
    if (kind !== 'rps') {
      items.push('<span class="key key-style"><svg width="22" height="8"><line x1="0" x2="22" y1="4" y2="4" stroke="currentColor" stroke-width="2"/></svg>p50</span>');
      items.push('<span class="key key-style"><svg width="22" height="8"><line x1="0" x2="22" y1="4" y2="4" stroke="currentColor" stroke-width="1.4" stroke-dasharray="6 4"/></svg>p99</span>');
      items.push('<span class="key key-style"><svg width="22" height="8"><line x1="0" x2="22" y1="4" y2="4" stroke="currentColor" stroke-width="1.4" stroke-dasharray="1.5 3"/></svg>max</span>');
    }
    const html = items.join('');
    if (box.innerHTML !== html) box.innerHTML = html;
  }

  function hover(figure, svg, x, seconds, byT, kind) {
    const readout = $('.readout', figure);
    const cursor = $('line.cursor', svg);
    const show = (event) => {
      const rect = svg.getBoundingClientRect();
      const px = event.clientX - rect.left;
      let best = seconds[0];
      for (const t of seconds) if (Math.abs(x(t) - px) < Math.abs(x(best) - px)) best = t;
      cursor.setAttribute('x1', x(best));
      cursor.setAttribute('x2', x(best));
      cursor.setAttribute('visibility', 'visible');
      const parts = (byT.get(best) || []).slice().sort((a, b) => compareOutcomes(a.outcome, b.outcome)).map((p) =>
        kind === 'rps'
          ? p.outcome + ': ' + fmtCount(p.count) + ' req/s'
          : p.outcome + ': p50 ' + fmtLatency(p.p50_ms) + ', p99 ' + fmtLatency(p.p99_ms) + ', max ' + fmtLatency(p.max_ms));
      readout.textContent = 'At ' + fmtDuration(best) + ' — ' + parts.join(' · ');
    };
    svg.addEventListener('mousemove', show);
    svg.addEventListener('mouseleave', () => { cursor.setAttribute('visibility', 'hidden'); readout.textContent = ''; });
  }

  function escapeXml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }

  Object.assign(O, { drawChart, colourOf, compareOutcomes });
})(window.Onslaught = window.Onslaught || {});
