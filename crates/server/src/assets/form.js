// The spawn form: header rows added and removed in place, and an estimate
// of the load the typed values will make.
'use strict';

(function (O) {
  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));
  const { fmtDuration, fmtRate } = O;

  function setText(root, field, text) {
    const element = $('[data-field="' + field + '"]', root);
    if (element) element.textContent = text;
  }

  function setUpForm(form) {
    const rows = $('[data-field=header-rows]', form);
    form.addEventListener('click', (event) => {
      const button = event.target.closest('[data-action]');
      if (!button) return;
      if (button.dataset.action === 'add-header') {
        const row = $('.header-row', rows).cloneNode(true);
        for (const input of $$('input', row)) { input.value = ''; input.removeAttribute('aria-invalid'); }
        rows.appendChild(row);
        $('input', row).focus();
      } else if (button.dataset.action === 'remove-header') {
        const row = button.closest('.header-row');
        if ($$('.header-row', rows).length > 1) row.remove();
        else for (const input of $$('input', row)) input.value = '';
      }
    });
    const estimate = () => setText(form, 'estimate', describeLoad(form));
    form.addEventListener('input', estimate);
    estimate();
  }

  function describeLoad(form) {
    const number = (name, fallback) => {
      const text = form.elements[name].value.trim();
      if (text === '') return fallback;
      return /^\d+$/.test(text) ? Number(text) : NaN;
    };
    const nodes = Number(form.dataset.nodeCount) || 1;
    const sessions = number('session_count', 10);
    const interval = number('interval_ms', 1000);
    const rate = number('rate', null);
    const seconds = number('seconds', 10);
    const delay = number('delay_between_spawns_ms', 0);
    if ([sessions, interval, seconds, delay].some(isNaN) || (rate !== null && isNaN(rate))) return '';
    const perNode = rate !== null ? rate : interval > 0 ? sessions * 1000 / interval : null;
    const ramp = rate !== null ? 0 : delay * Math.max(sessions - 1, 0) / 1000;
    const pace = perNode === null
      ? 'As fast as the target answers'
      : '≈ ' + fmtRate(perNode) + ' req/s per node, ' + fmtRate(perNode * nodes) + ' req/s over ' + (nodes === 1 ? '1 node' : nodes + ' nodes');
    return pace + ', for about ' + fmtDuration(ramp + seconds) + (ramp > 0 ? ' (ramp-up ' + fmtDuration(ramp) + ')' : '') + '.';
  }

  document.addEventListener('DOMContentLoaded', () => {
    const form = $('form.spawn-form');
    if (form) setUpForm(form);
  });
})(window.Onslaught = window.Onslaught || {});
