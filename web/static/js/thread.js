// thread.js — conversations: the earlier turns of the deliberation on
// screen, as a thread above it (each folded to its question, decision and
// SOLOMON's summary, one click from the whole); the turns that continue
// it; and the follow-up box under a finished deliberation.
import { json } from './api.js';
import { t, verdictWords } from './i18n.js';
import { NAMES } from './council.js';

const h = (tag, cls, text) => {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
};

/** The turns that lead to id, oldest first, id's own last (as magi.Thread). */
export function threadOf(turns, id) {
  const byId = new Map(turns.map((r) => [r.id, r]));
  const chain = [];
  for (let r = byId.get(id); r && chain.length < turns.length; r = byId.get(r.parent_id)) {
    chain.unshift(r);
    if (!r.parent_id) break;
  }
  return chain;
}

/** The turns that follow from id, directly or not, oldest first. */
export function laterOf(turns, id) {
  const later = new Set([id]);
  const out = [];
  for (const r of turns) {
    if (r.parent_id && later.has(r.parent_id)) {
      later.add(r.id);
      out.push(r);
    }
  }
  return out;
}

/**
 * Thread draws the conversation of the deliberation on screen: earlier
 * turns into root, later ones into after, and runs the follow-up form.
 * onOpen(id) opens a turn; onAsked(id) is told of a follow-up started;
 * onError(err) of a failure; onDrawn() each time the thread is drawn;
 * council() names the council a follow-up is put to ('': the default), as
 * the question form does.
 */
export class Thread {
  constructor({ root, after, form, input, submit, onOpen, onAsked, onError, onDrawn = () => {}, council = () => '' }) {
    Object.assign(this, { root, after, form, input, submit, onOpen, onAsked, onError, onDrawn, council });
    this.id = '';
    this.turns = [];
    this.gen = 0;
    this.st = null;
    form.addEventListener('submit', (e) => { e.preventDefault(); this.ask(); });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.ask(); }
    });
  }

  /** Shows the thread of deliberation id (none yet: it loads with load()). */
  reset(id) {
    this.gen++;
    this.id = id;
    this.turns = [];
    this.st = null;
    this.draw();
  }

  /** Loads the conversation of st from the API and draws it. */
  async load(st) {
    this.st = st;
    const gen = this.gen;
    try {
      const c = await json(`/api/conversations/${encodeURIComponent(st.id)}`);
      if (gen !== this.gen) return;
      this.turns = c.turns || [];
    } catch (err) {
      if (gen === this.gen && err.status !== 404) this.onError(err);
      return;
    }
    this.draw();
  }

  /** How many turns the conversation on screen holds (1 until loaded). */
  size() { return Math.max(this.turns.length, 1); }

  /** Shows the follow-up box once st has completed, hides it otherwise. */
  ready(st) {
    this.st = st;
    this.form.hidden = !(st && st.id && st.outcome && !st.fatal);
  }

  draw() {
    const earlier = threadOf(this.turns, this.id).slice(0, -1);
    this.root.hidden = earlier.length === 0;
    const nodes = [];
    if (earlier.length) {
      const head = h('h2', 'thread-head');
      head.append(h('span', 'kanji', '経緯'), ` ${t('thread')} · ${t('turn.n', { n: earlier.length + 1 })}`);
      nodes.push(head);
      const ol = h('ol', 'thread-list');
      earlier.forEach((r, i) => ol.append(this.turn(r, i + 1)));
      nodes.push(ol);
    }
    this.root.replaceChildren(...nodes);
    const list = this.root.querySelector('.thread-list');
    if (list) list.scrollTop = list.scrollHeight; // the newest earlier turn in view
    const later = laterOf(this.turns, this.id);
    this.after.hidden = later.length === 0;
    const next = h('ul', 'thread-later');
    for (const r of later) {
      const li = h('li');
      li.append(this.link(r, `${t('turn.n', { n: r.turn || '?' })} — ${r.question}`), ` ${decisionText(r)}`);
      next.append(li);
    }
    this.after.replaceChildren(h('h2', 'thread-head', t('thread.later')), next);
    this.onDrawn();
  }

  /** An earlier turn, folded to its question, decision and summary. */
  turn(r, n) {
    const li = h('li', 'turn');
    li.dataset.decision = r.decision || r.status;
    li.dataset.id = r.id;
    const d = h('details');
    const s = h('summary');
    const head = h('span', 'turn-head');
    head.append(h('span', 'turn-n', t('turn.n', { n })), h('span', 'turn-q', r.question));
    const [kanji, word] = verdictWords[r.decision] || ['', r.decision || r.status];
    const dec = h('span', 'turn-decision');
    dec.append(h('span', 'verdict-kanji', kanji), h('span', 'verdict-word', word));
    s.append(head, dec);
    if (r.summary) s.append(h('span', 'turn-summary', r.summary));
    d.append(s, this.whole(r));
    li.append(d);
    return li;
  }

  /** The rest of an earlier turn: conditions, note, each vote, a link to it. */
  whole(r) {
    const box = h('div', 'turn-body');
    const v = r.votes || {};
    box.append(h('p', 'turn-meta', [`${t('rule')}: ${t('rules')[r.rule] || r.rule}`,
      `${verdictWords.APPROVED[0]} ${v.approved ?? 0} · ${verdictWords.CONDITIONAL[0]} ${v.conditional ?? 0} · ${verdictWords.REJECTED[0]} ${v.rejected ?? 0} · ${verdictWords.ABSTAINED[0]} ${v.abstained ?? 0}`,
      `${t('confidence')} ${Number(r.confidence || 0).toFixed(2)}`].join(' · ')));
    if (r.conditions?.length) {
      const ul = h('ul', 'verdict-conditions');
      ul.setAttribute('aria-label', t('conditions'));
      for (const c of r.conditions) ul.append(h('li', '', c));
      box.append(ul);
    }
    if (r.note) box.append(h('p', 'note', r.note));
    const votes = h('ul', 'turn-votes');
    for (const a of r.agents || []) {
      if (!a.verdict) continue;
      const li = h('li');
      li.dataset.decision = a.verdict.decision;
      li.append(h('strong', '', NAMES[a.id] || a.name), ` ${verdictWords[a.verdict.decision]?.[0] ?? a.verdict.decision} `,
        a.verdict.summary || '');
      votes.append(li);
    }
    box.append(votes, this.link(r, t('thread.open')));
    return box;
  }

  /** A link that opens turn r in place. */
  link(r, text) {
    const a = h('a', 'turn-open', text);
    a.href = `/d/${encodeURIComponent(r.id)}`;
    a.addEventListener('click', (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
      e.preventDefault();
      this.onOpen(r.id);
    });
    return a;
  }

  /** Starts a follow-up of the deliberation on screen. */
  async ask() {
    const question = this.input.value.trim();
    if (!question) { this.input.focus(); return; }
    const st = this.st;
    if (!st || !st.outcome) return;
    this.submit.disabled = true;
    try {
      const body = { question, follow_up: st.id };
      if (st.rule) body.rule = st.rule;
      if (this.council()) body.council = this.council();
      const res = await json('/api/deliberations', { method: 'POST', body });
      this.input.value = '';
      this.onAsked(res.id);
    } catch (err) {
      this.onError(err);
    } finally {
      this.submit.disabled = false;
    }
  }
}

function decisionText(r) {
  const [kanji, word] = verdictWords[r.decision] || ['', r.decision || r.status];
  return `${kanji} ${word}`.trim();
}
