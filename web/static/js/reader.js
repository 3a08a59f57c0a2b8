// reader.js — the reader: one agent's whole answer in a large dialog at a
// comfortable measure, as safe Markdown with its formatted verdict, or as
// the raw text (RAW: the verdict JSON as the model wrote it). It opens at
// the start and follows the stream only while the agent writes.
import { renderMarkdown } from './markdown.js';
import { t } from './i18n.js';
import { NAMES, agentIn, currentRound, ended, phase } from './council.js';
import { splitVerdict } from './verdict.js';
import { h, voteNodes, verdictNodes } from './plate.js';

/** Reader drives the <dialog> that shows one agent's text. */
export class Reader {
  constructor(dialog) {
    this.dialog = dialog;
    this.body = dialog.querySelector('#reader-body');
    this.title = dialog.querySelector('#reader-title');
    this.rawBtn = dialog.querySelector('#reader-raw');
    this.agent = '';
    this.raw = false;
    this.frame = 0;
    this.st = null;
    dialog.querySelector('#reader-close').addEventListener('click', () => dialog.close());
    this.rawBtn.addEventListener('click', () => {
      this.raw = !this.raw;
      this.rawBtn.setAttribute('aria-pressed', String(this.raw));
      this.draw();
    });
    dialog.addEventListener('close', () => { this.agent = ''; });
  }

  /** Opens the reader on agent id of st, in round (0: the latest). */
  open(id, st, round = 0) {
    this.agent = id;
    this.round = round;
    this.st = st;
    this.title.textContent = round && st.rounds.length > 1 ? `${NAMES[id]} · ${t('round.n', { n: round })}` : NAMES[id];
    this.draw();
    if (!this.dialog.open) this.dialog.showModal();
    this.body.scrollTop = 0;
    this.body.focus();
  }

  /** Redraws, at most once a frame, when what touched the open agent. */
  update(st, what) {
    this.st = st;
    if (!this.agent || (what !== this.agent && what !== 'council') || this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  }

  draw() {
    if (!this.agent || !this.st) return;
    const st = this.st;
    const a = agentIn(st, this.agent, this.round);
    const latest = this.agent === 'solomon' || !this.round || this.round === currentRound(st);
    const streaming = phase(a, st) === 'thinking' && latest && !ended(st);
    const follow = streaming && this.body.scrollHeight - this.body.scrollTop - this.body.clientHeight < 32;
    if (this.raw) {
      const pre = h('pre', 'raw', a.text);
      this.body.replaceChildren(pre);
    } else {
      const nodes = [renderMarkdown(splitVerdict(a.text).prose)];
      if (a.verdict) {
        const box = h('section', 'reader-verdict');
        box.dataset.state = a.verdict.decision;
        const head = h('p', 'reader-vote');
        head.append(...voteNodes(a.verdict.decision, a.verdict.changedFrom));
        box.append(head, ...verdictNodes(st, this.agent, a, latest));
        nodes.push(box);
      }
      this.body.replaceChildren(...nodes);
    }
    if (follow) this.body.scrollTop = this.body.scrollHeight;
  }
}
