// decision.js — the banner across the centre (決議 MAGI): the decision,
// the tally, each sage's vote with SOLOMON's score, the note that says
// why (the conditions and the summary under the plates); while SOLOMON
// writes, the decision the votes made; when a deliberation ends without
// one, how it ended. Also the phone's sticky chip that jumps to it.
import { t, verdictWord, noteText, fatalWord, fatalText } from './i18n.js';
import { NAMES, SAGES, agentIn, currentRound, score } from './council.js';
import { h, voteNodes, conditionList } from './plate.js';

/** Banner draws st into the #decision section and the #decision-chip link. */
export class Banner {
  constructor(root, chip) {
    this.root = root;
    this.chip = chip;
    this.word = root.querySelector('#decision-word');
    this.meta = root.querySelector('#decision-meta');
    // The outcome's summary and conditions, under the plates: the banner
    // itself stays short enough for the votes to show beside it.
    this.detail = document.getElementById('resolution');
    this.detailBody = document.getElementById('resolution-body');
    chip.addEventListener('click', (e) => {
      e.preventDefault();
      root.scrollIntoView({ block: 'start' });
      root.focus({ preventScroll: true });
    });
  }

  /**
   * The banner's lines, replaced only when they change: the banner is drawn
   * each frame while the sages write, and a line made anew would restart
   * its blinking.
   */
  setMeta(nodes) {
    const sig = nodes.map((n) => `${n.className}:${n.textContent}`).join('|');
    if (sig === this.metaSig) return;
    this.metaSig = sig;
    this.meta.replaceChildren(...nodes);
  }

  /** The word of the banner, set only when it changes (no re-announcement each frame). */
  setWord(nodesOrText) {
    if (typeof nodesOrText === 'string') {
      if (this.word.textContent !== nodesOrText) this.word.textContent = nodesOrText;
    } else {
      this.word.replaceChildren(...nodesOrText);
    }
  }

  draw(st) {
    const o = st.outcome;
    this.detail.hidden = !o || (!o.summary && !o.conditions.length);
    if (o) this.detailBody.replaceChildren(...(o.summary ? [h('p', 'summary', o.summary)] : []), ...(o.conditions.length ? [conditionList(o.conditions)] : []));
    delete this.root.dataset.tally;
    if (st.missing) {
      this.root.dataset.state = 'missing';
      delete this.root.dataset.code;
      this.setWord(t('missing'));
      this.setMeta([h('p', 'decision-error', t('missing.body'))]);
    } else if (st.fatal) {
      this.root.dataset.state = 'ERROR';
      this.root.dataset.code = st.fatal.code;
      this.setWord(fatalWord(st.fatal.code));
      this.setMeta([h('p', 'decision-error', fatalText(st.fatal.code))]);
    } else if (!o && st.tally) {
      this.drawTally(st);
    } else if (!o) {
      this.root.dataset.state = st.id ? 'thinking' : 'idle';
      this.setWord(t(st.id ? 'deliberating' : 'idle'));
      const votes = sageVotes(st);
      this.setMeta(!st.id ? [h('p', 'idle-hint', t('idle.hint'))] : votes.childNodes.length ? [votes] : []);
    } else {
      this.root.dataset.state = o.decision;
      this.setWord(voteNodes(o.decision));
      // the tally, each vote, then why: the votes before the note, so that
      // they stay in view when much sits above the banner
      const nodes = [this.votesLine(st, o.rule, o.votes, o.confidence), sageVotes(st)];
      const why = [o.tieBreak ? t('tiebreak') : '', noteText(o.note)].filter(Boolean).join(' — ');
      if (why) nodes.push(h('p', 'note', why));
      this.setMeta(nodes);
    }
    this.drawChip(st);
  }

  /** The votes, the rule, after a debate the rounds run, and the confidence. */
  votesLine(st, rule, v, confidence = null) {
    const tally = h('p', 'tally');
    tally.append(h('span', 'rule', `${t('rule')}: ${t('rules')[rule || st.rule] || rule || st.rule}`));
    if (currentRound(st) > 1 || st.maxRounds > 1) tally.append(h('span', 'rounds', `${t('rounds')} ${currentRound(st)}/${Math.max(st.maxRounds, currentRound(st))}`));
    for (const [k, d] of [['approved', 'APPROVED'], ['conditional', 'CONDITIONAL'], ['rejected', 'REJECTED'], ['abstained', 'ABSTAINED']]) {
      const s = h('span', `vote vote-${k}`, `${verdictWord(d)[0]} ${v[k] ?? 0}`);
      s.title = verdictWord(d)[1];
      tally.append(s);
    }
    if (confidence !== null) tally.append(h('span', 'conf', `${t('confidence')} ${Number(confidence).toFixed(2)}`));
    return tally;
  }

  /** The decision the moment the votes make it, marked as awaiting SOLOMON's judgement; or that the rule awaits SOLOMON. */
  drawTally(st) {
    const tl = st.tally;
    this.root.dataset.state = 'tally';
    this.root.dataset.tally = tl.decision || 'awaiting';
    const nodes = [this.votesLine(st, st.rule, tl.votes), sageVotes(st)];
    if (tl.decision) {
      this.setWord(voteNodes(tl.decision));
      nodes.push(h('p', 'awaiting', t('awaiting.judgement')));
    } else {
      this.setWord(t('awaiting'));
    }
    this.setMeta(nodes);
  }

  /** The phone's sticky chip: the decision (or the state) and the votes, a tap from the banner. */
  drawChip(st) {
    this.chip.hidden = !st.id;
    if (!st.id) return;
    const d = st.outcome?.decision || st.tally?.decision || '';
    this.chip.dataset.state = this.root.dataset.state;
    const parts = [h('span', 'kanji', '決議')];
    if (d) parts.push(...voteNodes(d));
    else parts.push(h('span', 'chip-word', this.word.textContent));
    const v = st.outcome?.votes || st.tally?.votes;
    if (v) parts.push(h('span', 'chip-votes', ['APPROVED', 'CONDITIONAL', 'REJECTED'].map((k) => `${verdictWord(k)[0]}${v[k.toLowerCase()] ?? 0}`).join(' ')));
    this.chip.replaceChildren(...parts);
    this.chip.setAttribute('aria-label', `${t('chip')}: ${this.chip.textContent}`);
  }
}

/**
 * Each sage's vote of the round on screen, and SOLOMON's score of it once
 * given: MELCHIOR·1 APPROVED 81. The banner says every vote, so the
 * outcome reads at a glance whatever pushes the plates down.
 */
function sageVotes(st) {
  const line = h('p', 'sage-votes');
  for (const id of SAGES) {
    const v = agentIn(st, id, 0).verdict;
    if (!v) continue;
    const vote = h('span', 'sage-vote');
    vote.dataset.decision = v.decision;
    vote.append(`${NAMES[id]} `, h('b', 'sage-word', verdictWord(v.decision)[1]));
    const sc = score(st, id);
    if (sc !== null) {
      const n = h('span', 'sage-score', ` ${sc}`);
      n.title = `${t('score')} (SOLOMON)`;
      vote.append(n);
    }
    line.append(vote);
  }
  return line;
}
