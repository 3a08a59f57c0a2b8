// trace.js — the trace view: per call of every round (each round's sages,
// then SOLOMON), provider and model, time to first token, duration, tokens,
// cost, retries and errors, from trace and error events.
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

/** Draws st's trace into root as a table. */
export function drawTrace(root, st) {
  if (!st || !st.id) {
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
    const retries = a.retries + (a.fallbacks ? ` (+${a.fallbacks} fallback)` : '');
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
      div.textContent = e;
      errCell.append(div);
    }
    if (!a.errors.length) errCell.textContent = '—';
  }
  const wrap = [table];
  const o = st.outcome;
  if (o && (o.usage || o.duration !== null)) {
    const p = document.createElement('p');
    p.className = 'trace-total';
    const u = o.usage;
    p.textContent = `TOTAL ${ms(o.duration)}${u ? ` · ${u.input_tokens ?? 0} / ${u.output_tokens ?? 0} tokens · ${cost(u)}` : ''}`;
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
