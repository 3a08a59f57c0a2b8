// plate.js — one agent's plate: its name and vote in the head, its answer
// as prose (the verdict JSON left out: the formatted verdict says it), the
// verdict below, never clipped. The text follows its end only while the
// agent streams; a finished answer opens at its first line. The text area
// is the plate's one tab stop: Enter opens the reader, ← → change round.
import { renderMarkdown } from './markdown.js';
import { splitVerdict } from './verdict.js';
import { t, verdictWord, failureText, reasonText, roundReasonText } from './i18n.js';
import { NAMES, agentIn, currentRound, ended, phase, score } from './council.js';

export const h = (tag, cls, text) => {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
};

/** The decision as the head of a plate or a banner shows it: 承認 APPROVED (承認 alone in Japanese). */
export function voteNodes(decision, was = '') {
  const [kanji, word] = verdictWord(decision);
  const out = [];
  if (was) {
    const old = h('span', 'verdict-was', verdictWord(was)[0]);
    old.title = `${t('changed')} ${verdictWord(was)[1]}`;
    out.push(old, h('span', 'verdict-arrow', '→'));
  }
  out.push(h('span', 'verdict-kanji', kanji));
  if (word !== kanji) out.push(h('span', 'verdict-word', word));
  return out;
}

/** The rest of a verdict: confidence and score, summary, conditions, reason. */
export function verdictNodes(st, id, a, latest = true) {
  const v = a.verdict;
  if (!v) return [];
  const meta = h('p', 'verdict-meta', `${t('confidence')} ${Number(v.confidence).toFixed(2)}`);
  const sc = id === 'solomon' || !latest ? null : score(st, id); // SOLOMON scored the final answers
  if (sc !== null) meta.textContent += ` · ${t('score')} ${sc}`;
  if (v.changedFrom) meta.append(h('span', 'verdict-change', ` · ${t('changed')} ${verdictWord(v.changedFrom)[1]}`));
  const out = [meta];
  if (v.summary) out.push(h('p', 'verdict-summary', v.summary));
  if (v.conditions?.length) out.push(conditionList(v.conditions));
  // A failed call's reason is the provider's error: the plate says it in
  // the user's words (plate-errors), the trace keeps the details.
  if (v.reason && !a.failure) out.push(h('p', 'verdict-reason', `${t('reason')}: ${reasonText(v.reason)}`));
  return out;
}

/** A list of conditions, labelled for screen readers. */
export function conditionList(conditions) {
  const ul = h('ul', 'verdict-conditions');
  ul.setAttribute('aria-label', t('conditions'));
  for (const c of conditions) ul.append(h('li', '', c));
  return ul;
}

/** Plate draws one agent; onRead(id) opens the reader, onRound(id, r) shows round r. */
export class Plate {
  constructor(id, { onRead, onRound }) {
    this.id = id;
    this.onRead = onRead;
    this.onRound = onRound;
    this.prose = null;
    this.shown = '';
    const root = h('section', `plate plate-${id}`);
    root.dataset.agent = id;
    root.dataset.state = 'waiting';
    const title = h('h2', 'plate-name', NAMES[id]);
    title.id = `name-${id}`;
    root.setAttribute('aria-labelledby', title.id);
    this.state = h('span', 'plate-state');
    this.read = h('button', 'btn small plate-read');
    this.read.type = 'button';
    this.read.tabIndex = -1; // the text area is the plate's tab stop: Enter reads
    this.read.addEventListener('click', () => this.open());
    // One tab per round, in the foot beside READ: the head keeps the name
    // and the vote on one line, and a debate costs the plate no height.
    this.rounds = h('div', 'plate-rounds');
    this.rounds.setAttribute('role', 'tablist');
    this.rounds.hidden = true;
    this.rounds.addEventListener('keydown', (e) => this.roundKey(e));
    const head = h('header', 'plate-head');
    head.append(title, this.state);
    this.text = h('div', 'plate-text md');
    this.text.id = `text-${id}`;
    this.text.tabIndex = 0;
    this.text.setAttribute('role', 'region');
    this.text.setAttribute('aria-describedby', 'plate-keys');
    this.text.addEventListener('keydown', (e) => this.textKey(e));
    this.verdict = h('div', 'plate-verdict');
    this.errors = h('ul', 'plate-errors');
    this.model = h('span', 'plate-model');
    const foot = h('div', 'plate-foot');
    foot.append(this.model, this.rounds, this.read);
    const inner = h('div', 'plate-inner');
    inner.append(head, this.text, this.errors, this.verdict, foot);
    root.append(inner);
    this.root = root;
    this.st = null;
    this.round = 0;
  }

  open() { if (this.hasText) this.onRead(this.id); }

  /** Enter reads; ← and → change round; the other keys scroll. */
  textKey(e) {
    if (e.key === 'Enter' && e.target === this.text) {
      e.preventDefault();
      this.open();
      return;
    }
    this.roundKey(e);
  }

  /** Arrow keys (and Home, End in the tab list) move between rounds. */
  roundKey(e) {
    const n = this.st ? currentRound(this.st) : 1;
    if (this.id === 'solomon' || n < 2) return;
    const r = this.round;
    const inTabs = e.currentTarget === this.rounds;
    const next = { ArrowLeft: r - 1, ArrowRight: r + 1, ...(inTabs ? { Home: 1, End: n } : {}) }[e.key];
    if (!next || next < 1 || next > n) return;
    e.preventDefault();
    this.onRound(this.id, next, inTabs);
  }

  /** Draws the agent of st in round r (the round the plate shows). */
  draw(st, r) {
    this.st = st;
    this.round = r || currentRound(st);
    const a = agentIn(st, this.id, r);
    const ph = phase(a, st);
    const latest = this.id === 'solomon' || this.round === currentRound(st);
    this.root.dataset.state = ph;
    this.root.dataset.round = String(this.round);
    this.text.setAttribute('aria-label', t('plate.text', { name: NAMES[this.id] }));
    this.drawRounds(st);
    this.state.replaceChildren(...(a.verdict ? voteNodes(ph, a.verdict.changedFrom) : [t(`state.${ph}`)]));
    this.drawText(a, ph === 'thinking' && latest && !ended(st));
    this.read.textContent = t('expand');
    this.hasText = Boolean(a.text);
    this.read.hidden = !this.hasText; // the reader opens only on text
    this.verdict.replaceChildren(...verdictNodes(st, this.id, a, latest));
    this.errors.replaceChildren(...(a.failure ? [h('li', '', failureText(a.failure.code))] : []));
    this.drawModel(st, a);
  }

  /** The prose; the end followed only while streaming, the start shown once finished. */
  drawText(a, streaming) {
    const el = this.text;
    const follow = streaming && el.scrollHeight - el.scrollTop - el.clientHeight < 32;
    const { prose } = splitVerdict(a.text);
    if (prose !== this.prose) {
      el.replaceChildren(renderMarkdown(prose));
      this.prose = prose;
    }
    const shown = `${this.st.id}|${this.round}|${streaming}`;
    if (follow) el.scrollTop = el.scrollHeight;
    else if (!streaming && shown !== this.shown) el.scrollTop = 0;
    this.shown = shown;
  }

  /** The council and the model that answered: frugal · openai/llama3.2. */
  drawModel(st, a) {
    const model = a.provider ? `${a.provider}/${a.model}` : '';
    const council = st.council?.name || '';
    this.model.title = [council && `${t('council')}: ${council}`, model].filter(Boolean).join(' · ');
    this.root.dataset.council = council;
    if (!council) { this.model.textContent = model; return; }
    this.model.replaceChildren(h('span', 'plate-council', council), model ? ` · ${model}` : '');
  }

  /**
   * One tab per round on a sage's plate, once there is more than one. The
   * tabs are made when a round opens and only updated after, so the live
   * round's blinking dot runs its few seconds once, not anew each token.
   */
  drawRounds(st) {
    const n = currentRound(st);
    this.rounds.hidden = this.id === 'solomon' || n < 2;
    if (this.rounds.hidden) return;
    this.rounds.setAttribute('aria-label', t('round.tabs', { name: NAMES[this.id] }));
    while (this.rounds.children.length > n) this.rounds.lastElementChild.remove();
    while (this.rounds.children.length < n) {
      const r = this.rounds.children.length + 1;
      const b = h('button', 'round-tab');
      b.type = 'button';
      b.setAttribute('role', 'tab');
      b.setAttribute('aria-controls', this.text.id);
      b.tabIndex = -1; // reached from the text area with ← →, or by a click
      b.dataset.round = String(r);
      b.addEventListener('click', () => this.onRound(this.id, r, true));
      this.rounds.append(b);
    }
    for (const b of this.rounds.children) {
      const r = Number(b.dataset.round);
      b.textContent = `${t('round.short')}${r}`;
      b.setAttribute('aria-selected', String(r === this.round));
      b.title = st.reasons[r] ? `${t('round.n', { n: r })} — ${roundReasonText(st.reasons[r])}` : t('round.n', { n: r });
      const v = st.rounds[r - 1][this.id].verdict;
      if (v) b.dataset.decision = v.decision; else delete b.dataset.decision;
      if (r === n && !ended(st) && !st.tally) b.dataset.live = 'true'; else delete b.dataset.live;
    }
  }
}
