// app.js — wires the MAGI screen: routing (/ and /d/{id}), the question
// form, the live event stream, the reader, history, trace, sign-in, the
// API key box and errors.
import { apply, setLanguage, language, t } from './i18n.js';
import { apiKey, json, request, setApiKey } from './api.js';
import { whoAmI, signInURL, signOut } from './auth.js';
import { openStream, terminal } from './stream.js';
import { newState, applyEvent, simulated, ended, NAMES } from './council.js';
import { View } from './view.js';
import { drawTrace } from './trace.js';
import { History, exportRecord, deleteRecord, deleteConversation } from './history.js';
import { Thread } from './thread.js';
import { Reader } from './reader.js';
import { boot } from './boot.js';
import { Councils } from './councils.js';

const $ = (id) => document.getElementById(id);
let st = newState();
let stream = null;
let retryAfterLogin = null;
// mode is who the page acts for: 'session' (signed in), 'signin' (sign-in
// required, not signed in), 'key' or 'open'.
let mode = 'open';

const view = new View({ triad: $('triad'), solomonSlot: $('solomon-slot'), decision: $('decision'), onRead: (id) => reader.open(id, st, view.roundOf(id, st)) });
const reader = new Reader($('reader'));
const hist = new History($('history'), { onOpen: (id) => navigate(id), onError: showError });
const thread = new Thread({
  root: $('thread'), after: $('thread-after'), form: $('followup'), input: $('followup-q'), submit: $('followup-submit'),
  onOpen: (id) => navigate(id), onAsked: (id) => { navigate(id); hist.refresh(); }, onError: showError, onDrawn: () => drawFields(),
  council: () => councils.selected(),
});
const councils = new Councils({ select: $('council'), row: $('council-row'), dialog: $('council-editor'), onError: showError, onStatus: status });

function status(key) { $('status').textContent = key ? t(key) : ''; }

function showError(err) {
  if (err?.name === 'AbortError') return;
  if (err?.status === 401 && mode === 'session') { showExpired(); return; }
  if (err?.status === 401) { askKey(); }
  const box = $('alert');
  box.textContent = err?.message || String(err);
  box.hidden = false;
}

function clearError() { $('alert').hidden = true; $('alert').textContent = ''; }

/** A 401: the session ended (say so; the screen stays), or a key is needed. */
function unauthorized(retry) {
  if (mode === 'session') showExpired(); else askKey(retry);
}

/** Tells a signed-in user the session has ended; nothing on screen is cut. */
function showExpired() {
  $('expired-signin').href = signInURL();
  $('expired').hidden = false;
}

/** Shows the sign-in screen instead of the council. */
function showSignIn() {
  document.body.dataset.auth = 'signin';
  $('signin-go').href = signInURL();
  $('signin').hidden = false;
  $('signin-go').focus();
}

function hideSignIn() {
  delete document.body.dataset.auth;
  $('signin').hidden = true;
}

/** Shows who is signed in, and the sign-out control. */
function showUser(me) {
  const el = $('user');
  const name = document.createElement('strong');
  name.textContent = me.name || me.email || me.sub;
  el.replaceChildren(name);
  if (me.admin) el.append(` · ${t('admin')}`);
  el.title = [me.email, me.sub].filter(Boolean).join(' · ');
  el.hidden = false;
  $('signout').hidden = false;
  const left = me.expires_at ? new Date(me.expires_at).getTime() - Date.now() : 0;
  if (left > 0 && left < 2 ** 31) setTimeout(showExpired, left);
}

function askKey(retry) {
  if (retry) retryAfterLogin = retry;
  $('login-open').hidden = false;
  if (!$('login').open) $('login').showModal();
}

/** Shows deliberation id, replayed from the store then live. */
function show(id) {
  stream?.close();
  st = newState(id);
  thread.reset(id);
  view.update(st, 'all');
  drawFields();
  hist.select(id);
  if (!id) { status(''); drawTrace($('trace'), st); return; }
  status('st.replay');
  stream = openStream(`/api/deliberations/${encodeURIComponent(id)}/events`, {
    onEvent,
    onState: (s) => status({ live: 'st.live', reconnecting: 'st.reconnect', ended: st.fatal ? '' : 'st.done' }[s] || ''),
    onFail: showError,
    onUnauthorized: () => unauthorized(() => show(id)),
  });
}

function onEvent(ev) {
  const what = applyEvent(st, ev);
  view.update(st, what);
  reader.update(st, what);
  if (what === 'council' || ev.type === 'trace' || ev.type === 'error' || ev.type === 'verdict') { drawFields(); drawTrace($('trace'), st); }
  if (ev.type === 'error' && ev.message) showError({ message: ev.agent ? `${NAMES[ev.agent] || ev.agent}: ${ev.message}` : ev.message });
  if ((ev.type === 'start' && ev.parent_id) || terminal(ev)) thread.load(st);
  if (terminal(ev)) hist.refresh();
}

function drawFields() {
  $('sim-banner').hidden = !simulated(st);
  $('f-code').textContent = st.id ? st.id.slice(0, 12).toUpperCase() : '—';
  $('f-rule').textContent = st.rule ? st.rule.toUpperCase() : '—';
  $('f-council').textContent = st.council ? st.council.name.toUpperCase() : '—';
  $('f-round').textContent = st.id ? `${st.rounds.length}/${Math.max(st.maxRounds, st.rounds.length)}` : '—';
  $('f-mode').textContent = st.id && !ended(st) ? 'ON' : 'OFF';
  $('asked-wrap').hidden = !st.question;
  $('asked').textContent = st.question;
  $('actions').hidden = !st.id;
  $('cancel-run').hidden = !st.id || ended(st);
  thread.ready(st);
  $('export-thread').hidden = $('delete-thread').hidden = thread.size() < 2;
  document.title = st.question ? `MAGI — ${st.question.slice(0, 60)}` : 'MAGI';
}

function route() {
  if (mode === 'signin') return;
  const m = /^\/d\/([^/]+)\/?$/.exec(location.pathname);
  show(m ? decodeURIComponent(m[1]) : '');
}

function navigate(id) {
  const path = id ? `/d/${encodeURIComponent(id)}` : '/';
  if (location.pathname !== path) window.history.pushState({ id }, '', path);
  clearError();
  show(id);
}

async function submit() {
  const question = $('question').value.trim();
  if (!question) { $('question').focus(); return; }
  clearError();
  status('st.starting');
  $('submit').disabled = true;
  try {
    const body = { question, rule: $('rule').value };
    if ($('rounds').value) body.rounds = Number($('rounds').value);
    if (councils.selected()) body.council = councils.selected();
    const res = await json('/api/deliberations', { method: 'POST', body });
    navigate(res.id);
    $('question').value = '';
    hist.refresh();
  } catch (err) {
    status('');
    if (err.status === 401) unauthorized(submit); else showError(err);
  } finally {
    $('submit').disabled = false;
  }
}

function wire() {
  $('ask').addEventListener('submit', (e) => { e.preventDefault(); submit(); });
  $('question').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  });
  $('new-link').addEventListener('click', (e) => { e.preventDefault(); navigate(''); $('question').focus(); });
  $('lang-toggle').addEventListener('click', () => {
    setLanguage(language() === 'ja' ? 'en' : 'ja');
    view.update(st, 'all');
    drawTrace($('trace'), st);
    hist.draw();
    thread.draw();
    councils.relabel();
  });
  $('council-edit').addEventListener('click', () => councils.open($('council').value));
  $('council-new').addEventListener('click', () => councils.open(''));
  for (const tab of [$('tab-history'), $('tab-trace')]) tab.addEventListener('click', () => selectTab(tab));
  $('export-md').addEventListener('click', () => exportRecord(st.id, 'md').catch(showError));
  $('export-json').addEventListener('click', () => exportRecord(st.id, 'json').catch(showError));
  $('delete').addEventListener('click', onDelete);
  $('export-thread').addEventListener('click', () => exportRecord(st.id, 'md', true).catch(showError));
  $('delete-thread').addEventListener('click', onDeleteThread);
  $('cancel-run').addEventListener('click', () => request(`/api/deliberations/${encodeURIComponent(st.id)}/cancel`, { method: 'POST' }).catch(showError));
  $('login-open').addEventListener('click', () => askKey());
  $('signin-key').addEventListener('click', () => askKey());
  $('signout').addEventListener('click', () => signOut().catch(showError));
  $('login-cancel').addEventListener('click', () => $('login').close());
  $('login-form').addEventListener('submit', () => {
    setApiKey($('login-key').value.trim());
    $('login-key').value = '';
    clearError();
    if (mode === 'signin') { mode = 'key'; hideSignIn(); }
    const retry = retryAfterLogin || (() => { route(); hist.refresh(); councils.refresh().catch(showError); });
    retryAfterLogin = null;
    retry();
  });
  addEventListener('popstate', route);
}

function selectTab(tab) {
  for (const other of [$('tab-history'), $('tab-trace')]) {
    const on = other === tab;
    other.setAttribute('aria-selected', String(on));
    $(other.getAttribute('aria-controls')).hidden = !on;
  }
}

/** Whether btn (labelled key) was clicked a second time, to confirm. */
function confirmed(btn, key) {
  if (btn.dataset.confirm !== 'yes') {
    btn.dataset.confirm = 'yes';
    btn.textContent = t('delete.confirm');
    setTimeout(() => { btn.dataset.confirm = ''; btn.textContent = t(key); }, 4000);
    return false;
  }
  btn.dataset.confirm = '';
  btn.textContent = t(key);
  return true;
}

async function onDeleteThread() {
  if (!confirmed($('delete-thread'), 'delete.thread')) return;
  try {
    await deleteConversation(st.id);
    navigate('');
    status('st.deleted');
    hist.refresh();
  } catch (err) { showError(err); }
}

async function onDelete() {
  if (!confirmed($('delete'), 'delete')) return;
  try {
    await deleteRecord(st.id);
    navigate('');
    status('st.deleted');
    hist.refresh();
  } catch (err) { showError(err); }
}

/** Finds who the page acts for, then shows the council or the sign-in. */
async function start() {
  if (!apiKey()) {
    const who = await whoAmI();
    mode = who.mode === 'off' ? 'open' : who.mode;
    if (mode === 'signin') { showSignIn(); return; }
    if (mode === 'session') showUser(who.user);
  } else {
    mode = 'key';
  }
  route();
  hist.refresh();
  councils.refresh().catch(showError);
}

apply();
boot($('boot'));
wire();
start();
