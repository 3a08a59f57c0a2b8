// view.js — draws the MAGI display: one plate per agent (streaming text,
// verdict) and the decision banner at the centre. Text is re-rendered as
// safe Markdown at most once per animation frame per plate.
import { renderMarkdown } from './markdown.js';
import { t, verdictWords } from './i18n.js';
import { MEMBERS, NAMES, phase, score } from './council.js';

const h = (tag, cls, text) => {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
};

/** View owns the plates and the banner; call update(st, what) after each event. */
export class View {
  constructor({ triad, solomonSlot, decision, onRead }) {
    this.plates = {};
    this.dirty = new Set();
    this.frame = 0;
    this.st = null;
    this.decision = decision;
    for (const id of MEMBERS) this.plates[id] = this.plate(id, onRead);
    triad.prepend(this.plates.balthasar.root);
    triad.append(this.plates.casper.root, this.plates.melchior.root);
    solomonSlot.append(this.plates.solomon.root);
  }

  plate(id, onRead) {
    const root = h('section', `plate plate-${id}`);
    root.tabIndex = 0;
    root.dataset.agent = id;
    root.dataset.state = 'waiting';
    const title = h('h2', 'plate-name', NAMES[id]);
    title.id = `name-${id}`;
    root.setAttribute('aria-labelledby', title.id);
    const state = h('span', 'plate-state');
    const model = h('span', 'plate-model');
    const read = h('button', 'btn small plate-read');
    read.type = 'button';
    read.dataset.i18n = 'expand';
    read.textContent = t('expand');
    read.addEventListener('click', () => onRead(id));
    const head = h('header', 'plate-head');
    head.append(title, state, model, read);
    const text = h('div', 'plate-text md');
    text.tabIndex = 0;
    text.setAttribute('aria-label', `${NAMES[id]} text`);
    const verdict = h('div', 'plate-verdict');
    const errors = h('ul', 'plate-errors');
    const inner = h('div', 'plate-inner');
    inner.append(head, text, verdict, errors);
    root.append(inner);
    return { root, state, model, text, verdict, errors };
  }

  /** Shows st; what is the agent id an event touched, 'council', or 'all'. */
  update(st, what) {
    this.st = st;
    if (!what) return;
    if (what === 'council' || what === 'all') for (const id of MEMBERS) this.dirty.add(id);
    else this.dirty.add(what);
    this.dirty.add('council');
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  flush() {
    this.frame = 0;
    const st = this.st;
    for (const id of this.dirty) if (id !== 'council') this.drawPlate(st, id);
    if (this.dirty.has('council')) this.drawDecision(st);
    this.dirty.clear();
  }

  drawPlate(st, id) {
    const p = this.plates[id];
    const a = st.agents[id];
    const ph = phase(a);
    p.root.dataset.state = ph;
    p.state.textContent = ph === 'waiting' || ph === 'thinking' ? t(ph) : verdictWords[ph]?.[1] ?? ph;
    p.model.textContent = a.provider ? `${a.provider}/${a.model}` : '';
    const follow = p.text.scrollHeight - p.text.scrollTop - p.text.clientHeight < 32;
    p.text.replaceChildren(renderMarkdown(a.text));
    if (follow) p.text.scrollTop = p.text.scrollHeight;
    p.verdict.replaceChildren(...this.verdictNodes(st, id, a.verdict));
    p.errors.replaceChildren(...a.errors.map((e) => h('li', '', e)));
  }

  verdictNodes(st, id, v) {
    if (!v) return [];
    const [kanji, word] = verdictWords[v.decision] || ['', v.decision];
    const out = [h('span', 'verdict-kanji', kanji), h('span', 'verdict-word', word)];
    const meta = h('span', 'verdict-meta', `${t('confidence')} ${Number(v.confidence).toFixed(2)}`);
    const sc = id === 'solomon' ? null : score(st, id);
    if (sc !== null) meta.textContent += ` · ${t('score')} ${sc}`;
    out.push(meta);
    if (v.summary) out.push(h('p', 'verdict-summary', v.summary));
    if (v.conditions?.length) {
      const ul = h('ul', 'verdict-conditions');
      ul.setAttribute('aria-label', t('conditions'));
      for (const c of v.conditions) ul.append(h('li', '', c));
      out.push(ul);
    }
    if (v.reason) out.push(h('p', 'verdict-reason', `${t('reason')}: ${v.reason}`));
    return out;
  }

  drawDecision(st) {
    const word = this.decision.querySelector('#decision-word');
    const meta = this.decision.querySelector('#decision-meta');
    const o = st.outcome;
    if (st.fatal) {
      this.decision.dataset.state = 'ERROR';
      word.textContent = `${st.fatal.code.toUpperCase()}`;
      meta.replaceChildren(h('p', 'decision-error', st.fatal.message));
      return;
    }
    if (!o) {
      this.decision.dataset.state = st.id ? 'thinking' : 'idle';
      const label = t(st.id ? 'deliberating' : 'idle');
      if (word.textContent !== label) word.textContent = label; // no re-announcement each frame
      meta.replaceChildren();
      return;
    }
    this.decision.dataset.state = o.decision;
    const [kanji, en] = verdictWords[o.decision] || ['', o.decision];
    word.replaceChildren(h('span', 'verdict-kanji', kanji), h('span', 'verdict-word', en));
    const v = o.votes;
    const tally = h('p', 'tally');
    tally.append(h('span', 'rule', `${t('rule')}: ${t('rules')[o.rule] || o.rule}`));
    for (const [k, d] of [['approved', 'APPROVED'], ['conditional', 'CONDITIONAL'], ['rejected', 'REJECTED'], ['abstained', 'ABSTAINED']]) {
      const s = h('span', `vote vote-${k}`, `${verdictWords[d][0]} ${v[k] ?? 0}`);
      s.title = d;
      tally.append(s);
    }
    tally.append(h('span', 'conf', `${t('confidence')} ${Number(o.confidence).toFixed(2)}`));
    const nodes = [tally];
    const scores = h('p', 'scores');
    for (const id of ['melchior', 'balthasar', 'casper']) {
      const sc = score(st, id);
      if (sc !== null) scores.append(h('span', 'score', `${NAMES[id]} ${sc}`));
    }
    if (scores.childNodes.length) nodes.push(scores);
    if (o.tieBreak || o.note) nodes.push(h('p', 'note', [o.tieBreak ? t('tiebreak') : '', o.note].filter(Boolean).join(' — ')));
    if (o.conditions.length) {
      const ul = h('ul', 'verdict-conditions');
      ul.setAttribute('aria-label', t('conditions'));
      for (const c of o.conditions) ul.append(h('li', '', c));
      nodes.push(ul);
    }
    if (o.summary) nodes.push(h('p', 'summary', o.summary));
    meta.replaceChildren(...nodes);
  }
}
