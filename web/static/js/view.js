// view.js — draws the MAGI display: one plate per agent (streaming text,
// verdict) and the decision banner at the centre. Text is re-rendered as
// safe Markdown at most once per animation frame per plate.
import { renderMarkdown } from './markdown.js';
import { t, verdictWords } from './i18n.js';
import { MEMBERS, NAMES, agentIn, currentRound, phase, score } from './council.js';

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
    // selected[id] is the round a sage's plate shows; absent: the latest.
    this.selected = {};
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
    // One tab per round, in the head so that a debate costs the plate no height.
    const rounds = h('div', 'plate-rounds');
    rounds.setAttribute('role', 'tablist');
    rounds.hidden = true;
    rounds.addEventListener('keydown', (e) => this.roundKey(id, e));
    const head = h('header', 'plate-head');
    head.append(title, state, rounds, model, read);
    const text = h('div', 'plate-text md');
    text.tabIndex = 0;
    text.setAttribute('aria-label', `${NAMES[id]} text`);
    const verdict = h('div', 'plate-verdict');
    const errors = h('ul', 'plate-errors');
    const inner = h('div', 'plate-inner');
    inner.append(head, text, verdict, errors);
    root.append(inner);
    return { root, state, model, text, verdict, errors, rounds };
  }

  /** The round the plate of id shows: the one selected, else the latest. */
  roundOf(id, st = this.st) {
    if (id === 'solomon' || !st) return 0;
    const n = currentRound(st);
    return Math.min(this.selected[id] || n, n);
  }

  /** Shows round r on the plate of id; the latest round means: follow the debate. */
  selectRound(id, r) {
    const n = currentRound(this.st);
    this.selected[id] = r >= n ? 0 : r;
    this.update(this.st, id);
    this.flush();
    this.plates[id].rounds.querySelector('[aria-selected="true"]')?.focus();
  }

  /** Arrow keys, Home and End move between a plate's round tabs. */
  roundKey(id, e) {
    const n = currentRound(this.st);
    const r = this.roundOf(id);
    const next = { ArrowLeft: r - 1, ArrowRight: r + 1, Home: 1, End: n }[e.key];
    if (!next || next < 1 || next > n) return;
    e.preventDefault();
    this.selectRound(id, next);
  }

  /** One tab per round on a sage's plate, once there is more than one. */
  drawRounds(st, id, p) {
    const n = currentRound(st);
    p.rounds.hidden = id === 'solomon' || n < 2;
    if (p.rounds.hidden) return;
    p.rounds.setAttribute('aria-label', t('round.tabs', { name: NAMES[id] }));
    const sel = this.roundOf(id, st);
    const tabs = [];
    for (let r = 1; r <= n; r++) {
      const b = h('button', 'round-tab', `${t('round.short')}${r}`);
      b.type = 'button';
      b.setAttribute('role', 'tab');
      b.setAttribute('aria-selected', String(r === sel));
      b.setAttribute('aria-controls', `text-${id}`);
      b.title = st.reasons[r] ? `${t('round.n', { n: r })} — ${st.reasons[r]}` : t('round.n', { n: r });
      b.tabIndex = r === sel ? 0 : -1;
      b.dataset.round = String(r);
      const v = st.rounds[r - 1][id].verdict;
      if (v) b.dataset.decision = v.decision;
      if (r === n && !st.outcome && !st.fatal && !st.tally) b.dataset.live = 'true';
      b.addEventListener('click', () => this.selectRound(id, r));
      tabs.push(b);
    }
    p.rounds.replaceChildren(...tabs);
  }

  /** Shows st; what is the agent id an event touched, 'council', or 'all'. */
  update(st, what) {
    if (st !== this.st) this.selected = {}; // another deliberation: follow its debate
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
    const r = this.roundOf(id, st);
    const a = agentIn(st, id, r);
    const ph = phase(a);
    p.root.dataset.state = ph;
    p.root.dataset.round = String(r || currentRound(st));
    p.text.id = `text-${id}`;
    this.drawRounds(st, id, p);
    p.state.textContent = ph === 'waiting' || ph === 'thinking' ? t(ph) : verdictWords[ph]?.[1] ?? ph;
    this.drawModel(st, p, a);
    const follow = p.text.scrollHeight - p.text.scrollTop - p.text.clientHeight < 32;
    p.text.replaceChildren(renderMarkdown(a.text));
    if (follow) p.text.scrollTop = p.text.scrollHeight;
    p.verdict.replaceChildren(...this.verdictNodes(st, id, a.verdict, r === currentRound(st)));
    p.errors.replaceChildren(...a.errors.map((e) => h('li', '', e)));
  }

  /** The council and the model that answered: frugal · openai/llama3.2. */
  drawModel(st, p, a) {
    const model = a.provider ? `${a.provider}/${a.model}` : '';
    const council = st.council?.name || '';
    p.model.title = [council && `${t('council')}: ${council}`, model].filter(Boolean).join(' · ');
    p.root.dataset.council = council;
    if (!council) { p.model.textContent = model; return; }
    p.model.replaceChildren(h('span', 'plate-council', council), model ? ` · ${model}` : '');
  }

  verdictNodes(st, id, v, latest = true) {
    if (!v) return [];
    const [kanji, word] = verdictWords[v.decision] || ['', v.decision];
    const out = [];
    if (v.changedFrom) {
      // A changed vote is shown as the change: 否決 → 条件付.
      const was = h('span', 'verdict-was', verdictWords[v.changedFrom]?.[0] || v.changedFrom);
      was.title = `${t('changed')} ${v.changedFrom}`;
      out.push(was, h('span', 'verdict-arrow', '→'));
    }
    out.push(h('span', 'verdict-kanji', kanji), h('span', 'verdict-word', word));
    if (v.changedFrom) out.push(h('span', 'verdict-change', `${t('changed')} ${verdictWords[v.changedFrom]?.[1] || v.changedFrom}`));
    const meta = h('span', 'verdict-meta', `${t('confidence')} ${Number(v.confidence).toFixed(2)}`);
    const sc = id === 'solomon' || !latest ? null : score(st, id); // SOLOMON scored the final answers
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
    delete this.decision.dataset.tally;
    if (st.fatal) {
      this.decision.dataset.state = 'ERROR';
      word.textContent = `${st.fatal.code.toUpperCase()}`;
      meta.replaceChildren(h('p', 'decision-error', st.fatal.message));
      return;
    }
    if (!o && st.tally) {
      this.drawTally(st, word, meta);
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
    const tally = this.votesLine(st, o.rule, o.votes);
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

  /** The votes, the rule and, after a debate, the rounds run. */
  votesLine(st, rule, v) {
    const tally = h('p', 'tally');
    tally.append(h('span', 'rule', `${t('rule')}: ${t('rules')[rule || st.rule] || rule || st.rule}`));
    if (currentRound(st) > 1 || st.maxRounds > 1) tally.append(h('span', 'rounds', `${t('rounds')} ${currentRound(st)}/${Math.max(st.maxRounds, currentRound(st))}`));
    for (const [k, d] of [['approved', 'APPROVED'], ['conditional', 'CONDITIONAL'], ['rejected', 'REJECTED'], ['abstained', 'ABSTAINED']]) {
      const s = h('span', `vote vote-${k}`, `${verdictWords[d][0]} ${v[k] ?? 0}`);
      s.title = d;
      tally.append(s);
    }
    return tally;
  }

  /** The decision the moment the votes make it, marked as awaiting SOLOMON's judgement; or that the rule awaits SOLOMON. */
  drawTally(st, word, meta) {
    const tl = st.tally;
    this.decision.dataset.state = 'tally';
    this.decision.dataset.tally = tl.decision || 'awaiting';
    const nodes = [this.votesLine(st, st.rule, tl.votes)];
    if (tl.decision) {
      const [kanji, en] = verdictWords[tl.decision] || ['', tl.decision];
      word.replaceChildren(h('span', 'verdict-kanji', kanji), h('span', 'verdict-word', en));
      nodes.push(h('p', 'awaiting', t('awaiting.judgement')));
    } else {
      const label = t('awaiting');
      if (word.textContent !== label) word.textContent = label;
    }
    if (tl.conditions?.length) {
      const ul = h('ul', 'verdict-conditions');
      ul.setAttribute('aria-label', t('conditions'));
      for (const c of tl.conditions) ul.append(h('li', '', c));
      nodes.push(ul);
    }
    meta.replaceChildren(...nodes);
  }
}
