// Numbers, durations and latencies as the pages show them: the same
// units the server renders with, so live updates read like the first paint.
'use strict';

(function (O) {
  // ---- Formatting: the same units the server renders with. ----

  function fmtLatency(ms) {
    if (!isFinite(ms) || ms < 0) return '–';
    if (Math.round(ms * 1000) < 1000) return Math.round(ms * 1000) + 'µs';
    if (Math.round(ms * 100) < 100000) return ms.toFixed(2) + 'ms';
    return (ms / 1000).toFixed(2) + 's';
  }

  function fmtAxisLatency(ms) {
    if (ms < 1) return +(ms * 1000).toPrecision(3) + ' µs';
    if (ms < 1000) return +ms.toPrecision(3) + ' ms';
    return +(ms / 1000).toPrecision(3) + ' s';
  }

  function fmtDuration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const pad = (n) => String(n).padStart(2, '0');
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' m ' + pad(s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + pad(Math.floor((s % 3600) / 60)) + ' m';
  }

  function fmtCount(n) {
    return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  }

  function fmtRate(value) {
    return value < 100 ? value.toFixed(1) : fmtCount(value);
  }

  Object.assign(O, { fmtLatency, fmtAxisLatency, fmtDuration, fmtCount, fmtRate });
})(window.Onslaught = window.Onslaught || {});
