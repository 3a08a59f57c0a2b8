// reader.js — the reader: one agent's whole text in a large dialog, as
// safe Markdown or as the raw text, following the stream while open.
import { renderMarkdown } from './markdown.js';
import { t } from './i18n.js';
import { NAMES, agentIn } from './council.js';

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
    const text = agentIn(this.st, this.agent, this.round).text;
    const follow = this.body.scrollHeight - this.body.scrollTop - this.body.clientHeight < 32;
    if (this.raw) {
      const pre = document.createElement('pre');
      pre.className = 'raw';
      pre.textContent = text;
      this.body.replaceChildren(pre);
    } else {
      this.body.replaceChildren(renderMarkdown(text));
    }
    if (follow) this.body.scrollTop = this.body.scrollHeight;
  }
}
