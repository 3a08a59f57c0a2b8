// trace.js — the trace view: per call of every round (each round's sages,
// then SOLOMON), provider and model, time to first token, duration, tokens,
// cost, retries and errors, from trace and error events; and the
// OpenTelemetry trace id of the deliberation, when the server traced it.
import { t } from './i18n.js';
import { NAMES, calls } from './council.js';

const ms = (v) => (v === null || v === undefined ? '—' : v < 1000 ? `${v} ms` : `${(v / 1000).toFixed(1)} s`);

/** cost formats usage.cost_usd: "unknown" when the price is not known (null). */
export function cost(tokens) {
  if (!tokens) return '—';
  if (tokens.cost_usd === null || tokens.cost_usd === undefined) return t('unknown');
  return `$${Number(tokens.cost_usd).toFixed(4)}`;
}

const COLUMNS = ['tr.agent', 'tr.model', 'tr.ttft', 'tr.dur', 'tr.tokens', 'tr.cost', 'tr.retries', 'tr.errors'];

/** One error of a call as the trace shows it: the operator's details, in the user's language around them. */
function errorLine(e) {
  if (e.kind === 'retry') return `${t('tr.retry', { n: e.attempt })}${e.delay ? ` (${t('tr.after', { ms: e.delay })})` : ''}: ${e.text}`;
  if (e.kind === 'fallback') return `${t('tr.fallbackTo', { to: e.to })}: ${e.text}`;
  return e.text;
}

/** Draws st's trace into root as a table. */
export function drawTrace(root, st) {
  if (!st || !st.id || st.missing) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = t('trace.empty');
    root.replaceChildren(p);
    return;
  }
  const table = document.createElement('table');
  table.className = 'trace-table';
  const head = table.createTHead().insertRow();
  for (const c of COLUMNS) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = t(c);
    head.append(th);
  }
  const body = table.createTBody();
  const debated = st.rounds.length > 1;
  for (const { round, agent: a } of calls(st)) {
    const id = a.id;
    const row = body.insertRow();
    row.dataset.agent = id;
    row.dataset.round = String(round);
    const tokens = a.tokens ? `${a.tokens.input_tokens ?? 0} / ${a.tokens.output_tokens ?? 0}` : '—';
    const retries = a.retries + (a.fallbacks ? ` (+${a.fallbacks} ${t('tr.fallback')})` : '');
    const who = debated && id !== 'solomon' ? `${NAMES[id]} · ${t('round.short')}${round}` : NAMES[id];
    const cells = [who, a.provider ? `${a.provider} / ${a.model}` : '—', ms(a.ttft), ms(a.duration), tokens, cost(a.tokens), retries];
    cells.forEach((v, k) => {
      const cell = row.insertCell();
      cell.dataset.label = k ? `${t(COLUMNS[k])}: ` : '';
      cell.textContent = String(v);
    });
    const errCell = row.insertCell();
    errCell.dataset.label = `${t('tr.errors')}: `;
    errCell.className = 'trace-errors';
    for (const e of a.errors) {
      const div = document.createElement('div');
      div.textContent = errorLine(e);
      errCell.append(div);
    }
    if (!a.errors.length) errCell.textContent = '—';
  }
  const wrap = st.traceId ? [traceId(st.traceId), table] : [table];
  const o = st.outcome;
  if (o && (o.usage || o.duration !== null)) {
    const p = document.createElement('p');
    p.className = 'trace-total';
    const u = o.usage;
    p.textContent = `${t('tr.total')} ${ms(o.duration)}${u ? ` · ${u.input_tokens ?? 0} / ${u.output_tokens ?? 0} ${t('tr.tokensUnit')} · ${cost(u)}` : ''}`;
    wrap.push(p);
  }
  if (st.fatal) {
    const p = document.createElement('p');
    p.className = 'trace-fatal';
    p.textContent = `${st.fatal.code}: ${st.fatal.message}`;
    wrap.push(p);
  }
  root.replaceChildren(...wrap);
}

/** traceId is the line naming the deliberation's OpenTelemetry trace, selectable whole to paste. */
function traceId(id) {
  const p = document.createElement('p');
  p.className = 'trace-id';
  p.title = t('tr.traceid.title');
  const label = document.createElement('span');
  label.textContent = `${t('tr.traceid')} `;
  const code = document.createElement('code');
  code.textContent = id;
  p.append(label, code);
  return p;
}
