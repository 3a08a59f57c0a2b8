// fields.js — what the page says around the display about the
// deliberation on screen: the simulator notice, the status fields in the
// style of the original (CODE, EXTENSION, ROUND, …), the question asked
// (two lines until opened), the actions it allows, the title.
import { t } from './i18n.js';
import { simulated, ended } from './council.js';

const $ = (id) => document.getElementById(id);

/** Draws the fields of st; turns is the size of its conversation. */
export function drawStatus(st, turns) {
  $('sim-banner').hidden = !simulated(st);
  $('f-code').textContent = st.id ? st.id.slice(0, 12).toUpperCase() : '—';
  $('f-rule').textContent = st.rule ? t('rules')[st.rule] || st.rule.toUpperCase() : '—';
  $('f-council').textContent = !st.council ? '—' : st.council.name === 'default' ? t('council.default') : st.council.name.toUpperCase();
  $('f-round').textContent = st.id && !st.missing ? `${st.rounds.length}/${Math.max(st.maxRounds, st.rounds.length)}` : '—';
  $('f-mode').textContent = t(st.id && !ended(st) ? 'on' : 'off');
  $('asked-wrap').hidden = !st.question;
  if ($('asked').textContent !== st.question) {
    $('asked').textContent = st.question;
    $('asked-wrap').dataset.open = 'false';
  }
  drawAskedMore();
  $('actions').hidden = !st.id || st.missing;
  $('cancel-run').hidden = !st.id || ended(st);
  document.body.dataset.view = st.missing ? 'missing' : st.id ? 'deliberation' : 'start';
  $('export-thread').hidden = $('delete-thread').hidden = turns < 2;
  document.title = st.question ? `MAGI — ${st.question.slice(0, 60)}` : 'MAGI';
}

/** The toggle of a long question: clamped to two lines until opened. */
function drawAskedMore() {
  const wrap = $('asked-wrap');
  const open = wrap.dataset.open === 'true';
  $('asked-more').hidden = wrap.hidden || (!open && wrap.scrollHeight <= wrap.clientHeight + 1);
  $('asked-more').setAttribute('aria-expanded', String(open));
  $('asked-more').textContent = t(open ? 'less.question' : 'more.question');
}

/** Wires the question's toggle. */
export function wireFields() {
  $('asked-more').addEventListener('click', () => {
    $('asked-wrap').dataset.open = String($('asked-wrap').dataset.open !== 'true');
    drawAskedMore();
  });
}
