// view.js — draws the MAGI display: one plate per agent (plate.js) and the
// decision banner at the centre (decision.js), each redrawn at most once
// per animation frame; and the live region that announces each vote and
// the decision once, not each token.
import { t, verdictWord } from './i18n.js';
import { MEMBERS, NAMES, currentRound, agentIn } from './council.js';
import { Plate } from './plate.js';
import { Banner } from './decision.js';

/** View owns the plates and the banner; call update(st, what) after each event. */
export class View {
  constructor({ triad, solomonSlot, decision, chip, announce, onRead }) {
    this.plates = {};
    // selected[id] is the round a sage's plate shows; absent: the latest.
    this.selected = {};
    this.dirty = new Set();
    this.frame = 0;
    this.st = null;
    this.announce = announce;
    this.said = new Set();
    this.banner = new Banner(decision, chip);
    const onRound = (id, r, focusTab) => this.selectRound(id, r, focusTab);
    for (const id of MEMBERS) this.plates[id] = new Plate(id, { onRead, onRound });
    triad.prepend(this.plates.balthasar.root);
    triad.append(this.plates.casper.root, this.plates.melchior.root);
    solomonSlot.append(this.plates.solomon.root);
  }

  /** The round the plate of id shows: the one selected, else the latest. */
  roundOf(id, st = this.st) {
    if (id === 'solomon' || !st) return 0;
    const n = currentRound(st);
    return Math.min(this.selected[id] || n, n);
  }

  /** Shows round r on the plate of id; the latest round means: follow the debate. */
  selectRound(id, r, focusTab = false) {
    const n = currentRound(this.st);
    this.selected[id] = r >= n ? 0 : r;
    this.update(this.st, id);
    this.flush();
    if (focusTab) this.plates[id].rounds.querySelector('[aria-selected="true"]')?.focus();
  }

  /** Shows st; what is the agent id an event touched, 'council', or 'all'. */
  update(st, what) {
    if (st !== this.st) { this.selected = {}; this.said.clear(); } // another deliberation: follow its debate
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
    for (const id of this.dirty) if (id !== 'council') this.plates[id].draw(st, this.roundOf(id, st));
    if (this.dirty.has('council')) this.banner.draw(st);
    this.dirty.clear();
    this.speak(st);
  }

  /**
   * Announces, once each, every vote of the latest round and the decision.
   * A deliberation that has its decision by the time it is drawn (a
   * replay) is announced by its decision only.
   */
  speak(st) {
    const lines = [];
    const live = !st.outcome;
    for (const id of MEMBERS) {
      const v = agentIn(st, id, 0).verdict;
      const key = `${st.id}|${currentRound(st)}|${id}`;
      if (!v || this.said.has(key)) continue;
      this.said.add(key);
      if (live) lines.push(`${NAMES[id]}: ${verdictWord(v.decision)[1]}`);
    }
    const d = st.outcome?.decision;
    if (d && !this.said.has(`${st.id}|decision`)) {
      this.said.add(`${st.id}|decision`);
      lines.push(`${t('decision')}: ${verdictWord(d)[1]}`);
    }
    if (lines.length) this.announce.textContent = lines.join('. ');
  }
}
