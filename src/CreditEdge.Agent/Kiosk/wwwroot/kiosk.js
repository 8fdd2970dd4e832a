// CreditEdge kiosk page. Plain JavaScript, no framework, no network beyond the agent that serves it.
// The form is built from GET /v1/model's feature schema at run time: a new package changes the form, never this file.
// Client-side checks mirror the agent's rules (README "Validation rules"); the agent's own 400 answer is shown field by field.
'use strict';

(function () {
  const STATUS_INTERVAL_MS = 5000;
  const OUTCOME_WORDS = { approve: 'Approved', refer: 'Referred for review', decline: 'Declined' };

  const $ = (id) => document.getElementById(id);
  const state = { model: null, key: null, busy: false, ready: false, decision: null };

  // ---------- building the form from the schema ----------

  function labelOf(feature) {
    return feature.label || feature.description || feature.name;
  }

  function formatNumber(value) {
    return Number(value).toLocaleString('en-US', { maximumFractionDigits: 6 });
  }

  function hintOf(feature) {
    const parts = [];
    if (feature.kind === 'numeric') {
      const hasMin = feature.min !== undefined && feature.min !== null;
      const hasMax = feature.max !== undefined && feature.max !== null;
      if (hasMin && hasMax) {
        parts.push(formatNumber(feature.min) + ' to ' + formatNumber(feature.max));
      } else if (hasMin) {
        parts.push('at least ' + formatNumber(feature.min));
      } else if (hasMax) {
        parts.push('at most ' + formatNumber(feature.max));
      }
      if (feature.unit) {
        parts.push('in ' + feature.unit);
      }
      if (feature.wholeNumber) {
        parts.push('whole number');
      }
    }
    if (feature.label && feature.description) {
      parts.push(feature.description);
    }
    return parts.join(' · ');
  }

  function buildField(feature) {
    const id = 'f-' + feature.name;
    const wrap = document.createElement('div');
    wrap.className = 'field';
    wrap.dataset.feature = feature.name;

    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = labelOf(feature) + (feature.unit ? ' (' + feature.unit + ')' : '');
    if (!feature.required) {
      const optional = document.createElement('span');
      optional.className = 'optional';
      optional.textContent = ' (optional)';
      label.appendChild(optional);
    }
    wrap.appendChild(label);

    let control;
    if (feature.kind === 'categorical') {
      control = document.createElement('select');
      const empty = document.createElement('option');
      empty.value = '';
      empty.textContent = feature.required ? 'Choose…' : '(not given)';
      control.appendChild(empty);
      const meanings = feature.codeLabels || {};
      for (const code of feature.codes || []) {
        const option = document.createElement('option');
        option.value = code;
        option.textContent = Object.prototype.hasOwnProperty.call(meanings, code) ? meanings[code] : code;
        control.appendChild(option);
      }
    } else {
      control = document.createElement('input');
      control.type = 'number';
      control.inputMode = feature.wholeNumber && !(feature.min < 0) ? 'numeric' : 'decimal';
      control.step = feature.wholeNumber ? '1' : 'any';
      if (feature.min !== undefined && feature.min !== null) {
        control.min = String(feature.min);
      }
      if (feature.max !== undefined && feature.max !== null) {
        control.max = String(feature.max);
      }
      control.dataset.whole = feature.wholeNumber ? 'true' : 'false';
      control.autocomplete = 'off';
    }
    control.id = id;
    control.name = feature.name;
    control.dataset.kind = feature.kind;
    control.required = feature.required !== false;

    const described = [];
    const hintText = hintOf(feature);
    if (hintText) {
      const hint = document.createElement('p');
      hint.className = 'hint';
      hint.id = id + '-hint';
      hint.textContent = hintText;
      described.push(hint.id);
      wrap.appendChild(control);
      wrap.appendChild(hint);
    } else {
      wrap.appendChild(control);
    }

    const error = document.createElement('p');
    error.className = 'error';
    error.id = id + '-error';
    described.push(error.id);
    wrap.appendChild(error);
    control.setAttribute('aria-describedby', described.join(' '));
    return wrap;
  }

  function buildForm(model) {
    const nonInputs = new Set((model.nonInputs || []).map((n) => n.name));
    const fields = $('fields');
    fields.replaceChildren();
    for (const feature of model.features) {
      if (!nonInputs.has(feature.name)) {
        fields.appendChild(buildField(feature));
      }
    }
    $('model-name').textContent = 'Model ' + model.id + ' ' + model.version;
    $('loading').hidden = true;
    $('application').hidden = false;
  }

  // ---------- checks that mirror the agent's rules ----------

  function controls() {
    return Array.from($('fields').querySelectorAll('input, select'));
  }

  function checkControl(control) {
    const name = control.name;
    const raw = control.value.trim();
    if (control.dataset.kind === 'numeric' && control.validity && control.validity.badInput) {
      return { rule: 'type', message: "'" + name + "' must be a number" };
    }
    if (raw === '') {
      return control.required ? { rule: 'required', message: "'" + name + "' is required" } : null;
    }
    if (control.dataset.kind === 'categorical') {
      const codes = Array.from(control.options).map((o) => o.value).filter((v) => v !== '');
      return codes.includes(raw) ? null : { rule: 'code', message: "'" + name + "' must be one of: " + codes.join(', ') };
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || Math.abs(value) > 3.4028234663852886e38) {
      return { rule: 'finite', message: "'" + name + "' must be a finite number within float range" };
    }
    if (control.dataset.whole === 'true' && value !== Math.floor(value)) {
      return { rule: 'whole-number', message: "'" + name + "' must be a whole number" };
    }
    const min = control.getAttribute('min');
    const max = control.getAttribute('max');
    if ((min !== null && value < Number(min)) || (max !== null && value > Number(max))) {
      return { rule: 'range', message: "'" + name + "' must be between " + (min === null ? 'unbounded' : min) + ' and ' + (max === null ? 'unbounded' : max) };
    }
    return null;
  }

  function clearErrors() {
    for (const control of controls()) {
      control.removeAttribute('aria-invalid');
      $(control.id + '-error').textContent = '';
    }
    const summary = $('form-errors');
    summary.hidden = true;
    summary.textContent = '';
  }

  function showFieldError(control, message, rule) {
    control.setAttribute('aria-invalid', 'true');
    const error = $(control.id + '-error');
    error.textContent = message;
    error.dataset.rule = rule || '';
  }

  function showFormError(message) {
    const summary = $('form-errors');
    summary.hidden = false;
    summary.textContent = message;
  }

  function focusFirstError() {
    const first = controls().find((c) => c.getAttribute('aria-invalid') === 'true');
    if (first) {
      first.focus();
    } else if (!$('form-errors').hidden) {
      $('form-errors').focus();
    }
  }

  // ---------- submitting ----------

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') {
      return window.crypto.randomUUID();
    }
    // not a secure context (the page reached over plain HTTP from another host): the same UUID v4 by hand
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  function requestBody() {
    const features = {};
    for (const control of controls()) {
      const raw = control.value.trim();
      if (raw === '') {
        continue; // an optional field left empty is left out: the model sees its default
      }
      features[control.name] = control.dataset.kind === 'numeric' ? Number(raw) : raw;
    }
    return { features: features };
  }

  async function submit(event) {
    event.preventDefault();
    if (state.busy || !state.ready) {
      return;
    }
    clearErrors();
    let bad = 0;
    for (const control of controls()) {
      const problem = checkControl(control);
      if (problem) {
        showFieldError(control, problem.message, problem.rule);
        bad++;
      }
    }
    if (bad > 0) {
      showFormError(bad === 1 ? 'Please correct the marked field.' : 'Please correct the ' + bad + ' marked fields.');
      focusFirstError();
      return;
    }

    // one key per application: a double tap or a retry after a lost answer gets the same stored decision
    state.key = state.key || newKey();
    setBusy(true);
    try {
      const response = await fetch('/v1/score', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': state.key },
        body: JSON.stringify(requestBody()),
      });
      const body = await readJson(response);
      if (response.ok && body) {
        showDecision(body);
      } else if (response.status === 400 && body && Array.isArray(body.errors)) {
        showServerErrors(body);
      } else {
        const why = body && (body.detail || body.title) ? body.detail || body.title : 'HTTP ' + response.status;
        showFormError(response.status === 503 ? 'The agent cannot decide right now: ' + why : 'The application was not decided: ' + why);
        $('form-errors').focus();
      }
    } catch (error) {
      showFormError('The agent did not answer (' + error.message + '). Please try again.');
      $('form-errors').focus();
    } finally {
      setBusy(false);
    }
  }

  async function readJson(response) {
    try {
      return await response.json();
    } catch {
      return null;
    }
  }

  function showServerErrors(problem) {
    const others = [];
    for (const error of problem.errors) {
      const name = typeof error.field === 'string' && error.field.startsWith('features.') ? error.field.slice('features.'.length) : null;
      const control = name ? document.getElementById('f-' + name) : null;
      if (control) {
        showFieldError(control, error.message, error.rule);
      } else {
        others.push(error.message);
      }
    }
    showFormError(others.length > 0 ? others.join(' ') : 'The agent refused the application: please correct the marked fields.');
    focusFirstError();
  }

  function setBusy(busy) {
    state.busy = busy;
    updateSubmit();
    $('submit').textContent = busy ? 'Deciding…' : 'Get decision';
  }

  function updateSubmit() {
    $('submit').disabled = state.busy || !state.ready || !state.model;
  }

  // ---------- the decision ----------

  function bandOf(score, policy) {
    if (!policy) {
      return '';
    }
    if (score >= policy.approveMinScore) {
      return 'approve band: ' + policy.approveMinScore + ' and above';
    }
    if (score < policy.declineBelowScore) {
      return 'decline band: below ' + policy.declineBelowScore;
    }
    return 'refer band: ' + policy.declineBelowScore + ' to ' + (policy.approveMinScore - 1);
  }

  function fillReasons(list, reasons) {
    list.replaceChildren();
    for (const reason of (reasons || []).slice(0, 4)) {
      const item = document.createElement('li');
      item.textContent = reason.text;
      item.dataset.code = reason.code;
      list.appendChild(item);
    }
  }

  function showDecision(decision) {
    state.decision = decision;
    const outcome = $('outcome');
    outcome.textContent = OUTCOME_WORDS[decision.outcome] || decision.outcome;
    outcome.className = 'outcome outcome-' + decision.outcome;
    outcome.dataset.outcome = decision.outcome;
    $('score').textContent = String(decision.score);
    const band = bandOf(decision.score, state.model && state.model.policy);
    $('band').textContent = band ? '(' + band + ')' : '';
    fillReasons($('reasons'), decision.reasons);
    $('decision-id').textContent = decision.decisionId;
    const when = new Date(decision.createdAt);
    $('decided-at').textContent = when.toLocaleString('en-GB');

    $('r-decision-id').textContent = decision.decisionId;
    $('r-date').textContent = when.toLocaleString('en-GB') + ' (' + decision.createdAt + ')';
    $('r-outcome').textContent = outcome.textContent;
    $('r-score').textContent = String(decision.score) + (band ? ' (' + band + ')' : '');
    $('r-model').textContent = decision.model.id + ' ' + decision.model.version + ' (' + decision.model.variant + ')';
    fillReasons($('r-reasons'), decision.reasons);
    $('receipt').hidden = false;

    $('form-screen').hidden = true;
    $('result-screen').hidden = false;
    $('result-title').focus();
  }

  function newApplication() {
    state.decision = null;
    state.key = null;
    $('application').reset();
    clearErrors();
    $('receipt').hidden = true;
    $('result-screen').hidden = true;
    $('form-screen').hidden = false;
    const first = controls()[0];
    if (first) {
      first.focus();
    }
  }

  // ---------- model and status ----------

  async function loadModel() {
    try {
      const response = await fetch('/v1/model', { cache: 'no-store' });
      const body = await readJson(response);
      if (!response.ok || !body) {
        $('loading').textContent = 'The form cannot be shown yet: ' + (body && body.detail ? body.detail : 'HTTP ' + response.status);
        return false;
      }
      state.model = body;
      buildForm(body);
      updateSubmit();
      return true;
    } catch (error) {
      $('loading').textContent = 'The form cannot be shown yet: the agent did not answer (' + error.message + ')';
      return false;
    }
  }

  function showBadge(text, kind, title) {
    const badge = $('badge');
    if (badge.textContent !== text) {
      badge.textContent = text;
    }
    badge.className = 'badge badge-' + kind;
    badge.title = title;
  }

  function showNotice(text) {
    const notice = $('notice');
    notice.hidden = !text;
    if (notice.textContent !== text) {
      notice.textContent = text;
    }
  }

  async function pollStatus() {
    let status = null;
    let refused = false;
    try {
      const response = await fetch('/v1/status', { cache: 'no-store' });
      refused = response.status === 401;
      status = response.ok ? await readJson(response) : null;
    } catch {
      status = null;
    }

    if (refused) {
      state.ready = false;
      showBadge('No terminal key', 'offline', 'the agent asks this screen for a terminal key');
      showNotice('The agent does not accept this screen without a terminal key: open the page on the kiosk itself, or list this address in Api:KioskAddresses.');
    } else if (!status) {
      state.ready = false;
      showBadge('Agent unreachable', 'offline', 'this page cannot reach the scoring agent');
      showNotice('The scoring agent is not answering. Decisions cannot be made until it is back.');
    } else {
      state.ready = status.ready;
      if (status.online) {
        showBadge('Online', 'online', 'connected to the central office');
      } else {
        showBadge('Offline', 'offline', status.brokerConfigured
          ? 'the central office cannot be reached; decisions are kept on this device and sent later'
          : 'this device works offline; decisions are kept on it');
      }
      showNotice(status.ready ? '' : 'Decisions are paused: ' + status.problems.join('; '));
      const activeChanged = status.model && state.model && (status.model.id !== state.model.id || status.model.version !== state.model.version);
      if ((!state.model || activeChanged) && status.model && $('result-screen').hidden && !state.busy) {
        await loadModel();
      }
    }
    updateSubmit();
  }

  function start() {
    $('application').addEventListener('submit', submit);
    $('application').addEventListener('input', () => {
      state.key = null; // changed answers are a new application
    });
    $('clear').addEventListener('click', () => {
      state.key = null;
      clearErrors();
    });
    $('new').addEventListener('click', newApplication);
    $('print').addEventListener('click', () => window.print());
    updateSubmit();
    loadModel().finally(pollStatus);
    window.setInterval(pollStatus, STATUS_INTERVAL_MS);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
